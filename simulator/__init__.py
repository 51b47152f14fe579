"""A faithful stand-in for the portal's four upstream kinds, served over HTTP.

Kinds and their URL prefixes (see docs/upstream-contract.md):

* ``/beenergised`` (+ ``/beenergised-auth/token``) -- be.ENERGISED CPO API
* ``/greenflux`` -- GreenFlux ChargeStations API (OCPI 2.2.1 style)
* ``/models`` -- Lynkwell charging-station models (asset management)
* ``/chargeye/api`` -- Kempower ChargEye locations, stations and network
* ``/_sim`` -- control endpoints (reset, faults, credentials); not a vendor API

Entry points: :func:`simulator.testing.start_simulator` (the one way to start it, in this process or
its own), ``python -m simulator`` and :func:`simulator.server.create_app`.
"""

KINDS: tuple[str, ...] = ("beenergised", "greenflux", "models", "chargeye")
