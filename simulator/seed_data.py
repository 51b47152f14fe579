"""Static tables the seed draws from: cities, streets, station models, names.

Real European cities with their centre coordinates, postal-code shapes and
time zones; real vendors' station models with the connectors they ship with.
"""

from __future__ import annotations

from typing import Any

# (city, country, countryCode, timeZone, lat, lng, postal codes, streets)
CITIES: list[tuple[str, str, str, str, float, float, tuple[str, ...], tuple[str, ...]]] = [
    ("Amsterdam", "Netherlands", "NL", "Europe/Amsterdam", 52.3676, 4.9041, ("1012 AB", "1017 CE", "1043 DP", "1096 HA"),
     ("Keizersgracht", "Danzigerkade", "Wibautstraat", "Hemonylaan", "Transformatorweg")),
    ("Rotterdam", "Netherlands", "NL", "Europe/Amsterdam", 51.9244, 4.4777, ("3011 AD", "3072 AP", "3044 CM"),
     ("Coolsingel", "Kop van Zuid", "Marconistraat", "Weena")),
    ("Utrecht", "Netherlands", "NL", "Europe/Amsterdam", 52.0907, 5.1214, ("3511 EP", "3528 BJ", "3584 CS"),
     ("Croeselaan", "Papendorpseweg", "Heidelberglaan", "Catharijnesingel")),
    ("Eindhoven", "Netherlands", "NL", "Europe/Amsterdam", 51.4416, 5.4697, ("5611 AZ", "5656 AE"),
     ("Vestdijk", "High Tech Campus", "Kennedyplein")),
    ("Berlin", "Germany", "DE", "Europe/Berlin", 52.5200, 13.4050, ("10115", "10243", "12435", "10557"),
     ("Invalidenstraße", "Mühlenstraße", "Am Treptower Park", "Alt-Moabit", "Schönhauser Allee")),
    ("Hamburg", "Germany", "DE", "Europe/Berlin", 53.5511, 9.9937, ("20095", "20457", "22297"),
     ("Spitalerstraße", "Am Sandtorkai", "Überseering", "Steinstraße")),
    ("München", "Germany", "DE", "Europe/Berlin", 48.1351, 11.5820, ("80331", "80807", "81829"),
     ("Sendlinger Straße", "Frankfurter Ring", "Messestadt West", "Leopoldstraße")),
    ("Köln", "Germany", "DE", "Europe/Berlin", 50.9375, 6.9603, ("50667", "50829", "51063"),
     ("Hohe Straße", "Butzweilerhofallee", "Schanzenstraße")),
    ("Frankfurt am Main", "Germany", "DE", "Europe/Berlin", 50.1109, 8.6821, ("60311", "60549", "60486"),
     ("Zeil", "Hugo-Eckener-Ring", "Mainzer Landstraße")),
    ("Paris", "France", "FR", "Europe/Paris", 48.8566, 2.3522, ("75001", "75012", "75015", "75019"),
     ("Rue de Rivoli", "Quai de Bercy", "Rue de Vaugirard", "Avenue de Flandre")),
    ("Lyon", "France", "FR", "Europe/Paris", 45.7640, 4.8357, ("69002", "69003", "69007"),
     ("Cours Charlemagne", "Rue Garibaldi", "Avenue Jean Jaurès")),
    ("Bruxelles", "Belgium", "BE", "Europe/Brussels", 50.8503, 4.3517, ("1000", "1050", "1130"),
     ("Boulevard Anspach", "Avenue Louise", "Chaussée de Haecht")),
    ("Antwerpen", "Belgium", "BE", "Europe/Brussels", 51.2194, 4.4025, ("2000", "2018", "2030"),
     ("Meir", "Kievitplein", "Noorderlaan")),
    ("København", "Denmark", "DK", "Europe/Copenhagen", 55.6761, 12.5683, ("1050", "2100", "2300"),
     ("Kongens Nytorv", "Østbanegade", "Ørestads Boulevard")),
    ("Stockholm", "Sweden", "SE", "Europe/Stockholm", 59.3293, 18.0686, ("111 22", "115 42", "120 30"),
     ("Vasagatan", "Lindhagensgatan", "Hammarby allé")),
    ("Oslo", "Norway", "NO", "Europe/Oslo", 59.9139, 10.7522, ("0150", "0191", "0484"),
     ("Dronning Eufemias gate", "Schweigaards gate", "Nydalsveien")),
    ("Helsinki", "Finland", "FI", "Europe/Helsinki", 60.1699, 24.9384, ("00100", "00180", "00510"),
     ("Mannerheimintie", "Itämerenkatu", "Teollisuuskatu")),
    ("Wien", "Austria", "AT", "Europe/Vienna", 48.2082, 16.3738, ("1010", "1030", "1100"),
     ("Kärntner Ring", "Landstraßer Hauptstraße", "Favoritenstraße")),
    ("Zürich", "Switzerland", "CH", "Europe/Zurich", 47.3769, 8.5417, ("8001", "8005", "8050"),
     ("Bahnhofstrasse", "Hardturmstrasse", "Thurgauerstrasse")),
    ("Madrid", "Spain", "ES", "Europe/Madrid", 40.4168, -3.7038, ("28001", "28020", "28045"),
     ("Calle de Serrano", "Paseo de la Castellana", "Calle de Méndez Álvaro")),
    ("Barcelona", "Spain", "ES", "Europe/Madrid", 41.3874, 2.1686, ("08001", "08018", "08038"),
     ("Carrer de Pujades", "Avinguda Diagonal", "Carrer de la Zona Franca")),
    ("Milano", "Italy", "IT", "Europe/Rome", 45.4642, 9.1900, ("20121", "20124", "20159"),
     ("Via Melchiorre Gioia", "Viale Monza", "Via Carlo Imbonati")),
    ("Lisboa", "Portugal", "PT", "Europe/Lisbon", 38.7223, -9.1393, ("1100-148", "1990-094", "1050-094"),
     ("Avenida da Liberdade", "Alameda dos Oceanos", "Avenida da República")),
    ("Dublin", "Ireland", "IE", "Europe/Dublin", 53.3498, -6.2603, ("D02 X285", "D04 T6X4", "D12 Y7K6"),
     ("Grand Canal Street", "Sir John Rogerson's Quay", "Naas Road")),
    ("Warszawa", "Poland", "PL", "Europe/Warsaw", 52.2297, 21.0122, ("00-001", "00-844", "02-146"),
     ("Aleje Jerozolimskie", "Grzybowska", "Żwirki i Wigury")),
    ("Praha", "Czechia", "CZ", "Europe/Prague", 50.0755, 14.4378, ("110 00", "186 00", "140 00"),
     ("Na Příkopě", "Rohanské nábřeží", "Budějovická")),
]

# Shapes of location names; {street} and {city} are filled in.
LOCATION_NAMES: tuple[str, ...] = (
    "Depot {street}", "P+R {street}", "Retail Park {street}", "Office Garage {street}",
    "Fleet Hub {city}", "Service Yard {street}", "Hotel Parking {street}", "Logistics Centre {city}",
)

TARIFFS: tuple[str, ...] = ("TARIFF-AC-STD", "TARIFF-AC-FLEET", "TARIFF-DC-FAST", "TARIFF-DC-HPC", "TARIFF-FREE")

# Station models of real vendors.  connectors: (connectionType, format,
# maxAmperage, maxVoltage, maxPowerWatts).  layout "each": one EVSE per
# connector; "one": a single EVSE carrying every connector (DC multi-standard).
MODEL_SPECS: list[dict[str, Any]] = [
    {"vendor": "Alfen", "model": "Eve Single Pro-line", "friendlyName": "Alfen Eve Single Pro-line 22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "6.3.0-4185"},
    {"vendor": "Alfen", "model": "Eve Double Pro-line", "friendlyName": "Alfen Eve Double Pro-line 2x22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000), ("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "6.3.0-4185"},
    {"vendor": "Alfen", "model": "Eve Single S-line", "friendlyName": "Alfen Eve Single S-line 7.4 kW", "powerType": "AC_1_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 230, 7400)], "layout": "each", "fw": "5.8.1-4123"},
    {"vendor": "ABB", "model": "Terra AC W22-T-RD-M-0", "friendlyName": "ABB Terra AC wallbox 22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "1.6.8"},
    {"vendor": "ABB", "model": "Terra 54 CJG", "friendlyName": "ABB Terra 54 multi-standard 50 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 125, 500, 50000), ("CHADEMO", "CABLE", 125, 500, 50000)], "layout": "one", "fw": "1.8.26"},
    {"vendor": "ABB", "model": "Terra 184", "friendlyName": "ABB Terra 184 180 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 200, 920, 180000), ("IEC_62196_T2_COMBO", "CABLE", 200, 920, 180000)], "layout": "each", "fw": "1.9.4"},
    {"vendor": "ABB", "model": "Terra AC W7-G5-R-0", "friendlyName": "ABB Terra AC 7 kW type 1 (US)", "powerType": "AC_1_PHASE",
     "connectors": [("IEC_62196_T1", "CABLE", 32, 230, 7400)], "layout": "each", "fw": "1.5.2", "archived": True},
    {"vendor": "Kempower", "model": "S-Series Satellite", "friendlyName": "Kempower Satellite (S-Series)", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 400, 1000, 240000)], "layout": "each", "fw": "3.41.2"},
    {"vendor": "Kempower", "model": "T-Series Dual", "friendlyName": "Kempower T-Series dual outlet 80 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 200, 1000, 80000), ("IEC_62196_T2_COMBO", "CABLE", 200, 1000, 80000)], "layout": "each", "fw": "3.38.0"},
    {"vendor": "Kempower", "model": "C-Series Compact", "friendlyName": "Kempower C-Series 40 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 150, 920, 40000)], "layout": "each", "fw": "3.36.5"},
    {"vendor": "Wallbox", "model": "Pulsar Plus", "friendlyName": "Wallbox Pulsar Plus 7.4 kW", "powerType": "AC_1_PHASE",
     "connectors": [("IEC_62196_T2", "CABLE", 32, 230, 7400)], "layout": "each", "fw": "5.17.24"},
    {"vendor": "Wallbox", "model": "Copper SB", "friendlyName": "Wallbox Copper SB 22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "5.17.24"},
    {"vendor": "Wallbox", "model": "Supernova 60", "friendlyName": "Wallbox Supernova 60 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 150, 1000, 60000)], "layout": "each", "fw": "2.2.7"},
    {"vendor": "Easee", "model": "Charge", "friendlyName": "Easee Charge 22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "330"},
    {"vendor": "Easee", "model": "Home", "friendlyName": "Easee Home 22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "330"},
    {"vendor": "Zaptec", "model": "Go", "friendlyName": "Zaptec Go 22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "2.6.1.3"},
    {"vendor": "Zaptec", "model": "Pro", "friendlyName": "Zaptec Pro 22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "4.5.2.0"},
    {"vendor": "Tritium", "model": "RTM75", "friendlyName": "Tritium RTM75 75 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 200, 500, 75000), ("CHADEMO", "CABLE", 125, 500, 50000)], "layout": "one", "fw": "2.14.0"},
    {"vendor": "Tritium", "model": "PKM150", "friendlyName": "Tritium PKM150 150 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 350, 920, 150000)], "layout": "each", "fw": "3.1.2"},
    {"vendor": "Tritium", "model": "Veefil-RT", "friendlyName": "Tritium Veefil-RT 50 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 125, 500, 50000), ("CHADEMO", "CABLE", 125, 500, 50000)], "layout": "one", "fw": "1.9.9", "archived": True},
    {"vendor": "Autel", "model": "MaxiCharger AC Wallbox", "friendlyName": "Autel MaxiCharger AC 22 kW", "powerType": "AC_3_PHASE",
     "connectors": [("IEC_62196_T2", "SOCKET", 32, 400, 22000)], "layout": "each", "fw": "V1.40.00"},
    {"vendor": "Autel", "model": "MaxiCharger DH240", "friendlyName": "Autel MaxiCharger DC HiPower 240 kW", "powerType": "DC",
     "connectors": [("IEC_62196_T2_COMBO", "CABLE", 300, 1000, 240000), ("IEC_62196_T2_COMBO", "CABLE", 300, 1000, 240000)], "layout": "each", "fw": "V1.12.03"},
    {"vendor": "Tesla", "model": "Universal Wall Connector", "friendlyName": "Tesla Universal Wall Connector 11.5 kW", "powerType": "AC_1_PHASE",
     "connectors": [("SAE_J3400", "CABLE", 48, 240, 11500)], "layout": "each", "fw": "24.36.3"},
]

FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Bram", "Chloé", "Daan", "Elif", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Katarzyna", "Lars",
    "Marta", "Niels", "Olga", "Pieter", "Rosa", "Sven", "Tomás", "Ulla", "Viktor", "Wiebke", "Yara", "Zoltan",
)
LAST_NAMES: tuple[str, ...] = (
    "de Vries", "Müller", "Lefèvre", "Jansen", "Kowalska", "Andersson", "Rossi", "García", "Novák", "Hansen",
    "Schmidt", "Dubois", "Bakker", "Virtanen", "Costa", "O'Brien", "Nowak", "Weber", "Peeters", "Lindqvist",
)

# ISO 3166-1 alpha-2 codes (officially assigned), for ChargEye countryCode.
ISO_COUNTRY_CODES: frozenset[str] = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ
    FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ
    IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH
    MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD
    TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()
)
