/* The location map: Leaflet (from django-leaflet) with marker clustering (vendored Leaflet.markercluster).
 *
 * Each `[data-map]` element names two JSON blocks written by the server with json_script:
 * its places (`data-map-places`) and the map settings (`data-map-config`: the Natural Earth
 * outlines file and, when configured, a tile server). No inline script, no foreign script:
 * the page's CSP stays `script-src 'self'`. Without JavaScript the table beside the map is
 * the map; once the map is drawn that table folds into a <details> (still there for screen
 * readers and keyboard users who prefer a list).
 */
(function () {
  "use strict";

  var RANK = { attention: 0, charging: 1, available: 2, empty: 3 };
  var outlines = {}; // one fetch of the outlines file per page, shared by every map on it

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function worst(healths) {
    return healths.reduce(function (a, b) { return RANK[b] < RANK[a] ? b : a; }, "empty");
  }

  function pin(health, label) {
    return L.divIcon({
      className: "map-pin map-pin--" + health,
      html: "<span aria-hidden=\"true\"></span>",
      iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10],
    });
  }

  function popup(place) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var link = document.createElement("a");
    link.href = place.url;
    link.textContent = place.name;
    var title = document.createElement("strong");
    title.appendChild(link);
    box.appendChild(title);
    if (place.city) {
      var city = document.createElement("div");
      city.className = "muted";
      city.textContent = place.city;
      box.appendChild(city);
    }
    var state = document.createElement("div");
    var badge = document.createElement("span");
    badge.className = "map-health map-health--" + place.health;
    badge.textContent = place.health_label;
    state.appendChild(badge);
    state.appendChild(document.createTextNode(" " + place.summary));
    box.appendChild(state);
    return box;
  }

  function background(map, config) {
    var url = config.outlines;
    if (!outlines[url]) {
      outlines[url] = fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
    }
    outlines[url].then(function (data) {
      L.geoJSON(data, {
        interactive: false,
        style: { color: "#9fb3c8", weight: 1, fillColor: "#f4f1e8", fillOpacity: 1 },
        attribution: "Country outlines: Natural Earth",
      }).addTo(map).bringToBack();
    });
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
    } else if (config.places) {
      placeNames(map, config.places);
    }
  }

  // Offline, the outlines alone leave a zoomed-in map a blank area: the towns around are written
  // over it, more of them the closer one zooms (rank 0 capitals and cities over a million people
  // from the widest view, every town of 15,000 people from zoom 9). A tile server, when one is set,
  // draws its own names instead.
  var MAX_LABELS = 220;
  var places = {};

  function rankFor(zoom) {
    return zoom < 5 ? 0 : zoom < 6.5 ? 1 : zoom < 8.5 ? 2 : 3;
  }

  function placeNames(map, url) {
    if (!places[url]) {
      places[url] = fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
    }
    map.createPane("places");
    map.getPane("places").style.zIndex = 450; // over the outlines (400), under the pins (600) and popups
    map.getPane("places").style.pointerEvents = "none";
    var layer = L.layerGroup().addTo(map);
    places[url].then(function (data) {
      map.attributionControl.addAttribution(data.attribution);
      function redraw() {
        layer.clearLayers();
        var bounds = map.getBounds().pad(0.1), most = rankFor(map.getZoom()), shown = 0, taken = [];
        for (var i = 0; i < data.places.length && shown < MAX_LABELS; i++) {
          var p = data.places[i]; // [name, lat, lng, rank], most important first
          if (p[3] > most || !bounds.contains([p[1], p[2]])) continue;
          // A name never covers another: a smaller place whose name would overlap is left out.
          var at = map.latLngToContainerPoint([p[1], p[2]]);
          var box = { x0: at.x - 6, y0: at.y - 9, x1: at.x + 8 + p[0].length * (p[3] ? 6.5 : 8), y1: at.y + 9 };
          if (taken.some(function (b) { return box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1; })) continue;
          taken.push(box);
          shown++;
          L.marker([p[1], p[2]], {
            pane: "places", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "map-place map-place--" + p[3], iconSize: null,
                              html: "<span class=\"map-place-dot\"></span><span class=\"map-place-name\"></span>" }),
          }).addTo(layer).getElement().querySelector(".map-place-name").textContent = p[0];
        }
      }
      map.on("moveend zoomend", redraw);
      redraw();
    });
  }

  function draw(el) {
    if (el.dataset.mapReady) return;
    var places = readJson(el.dataset.mapPlaces) || [];
    var config = readJson(el.dataset.mapConfig) || {};
    el.dataset.mapReady = "1";
    el.hidden = false;
    // Offline, zoom stops where the place names still say where one is (a town every few dozen km).
    var map = L.map(el, { worldCopyJump: true, minZoom: 2, maxZoom: config.tiles ? 19 : 12, zoomSnap: 0.5 });
    map.getContainer().style.background = "#cfe3f3"; // the sea
    map.attributionControl.setPrefix("Leaflet");
    background(map, config);

    var cluster = L.markerClusterGroup({
      showCoverageOnHover: false, maxClusterRadius: 50, spiderfyOnMaxZoom: true,
      iconCreateFunction: function (group) {
        var healths = group.getAllChildMarkers().map(function (m) { return m.options.health; });
        var n = group.getChildCount();
        return L.divIcon({
          className: "map-cluster map-pin--" + worst(healths),
          html: "<span>" + n + "</span>", iconSize: [36, 36],
        });
      },
    });
    var bounds = [];
    places.forEach(function (place) {
      var marker = L.marker([place.lat, place.lng], {
        icon: pin(place.health), health: place.health, keyboard: true,
        title: place.name + " — " + place.health_label, alt: place.name,
      });
      marker.bindPopup(popup(place));
      cluster.addLayer(marker);
      bounds.push([place.lat, place.lng]);
    });
    map.addLayer(cluster);
    if (bounds.length === 1) {
      map.setView(bounds[0], 11);
    } else if (bounds.length) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
    } else {
      map.setView([50, 10], 3);
    }
    var table = document.getElementById(el.dataset.mapTable);
    if (table) table.open = false;
    el.closest("figure").classList.add("map-drawn");
  }

  function drawAll(root) {
    if (typeof L === "undefined") return;
    (root || document).querySelectorAll("[data-map]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // The location search swaps the results (and their map) in place.
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
