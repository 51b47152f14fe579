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
    }
  }

  function draw(el) {
    if (el.dataset.mapReady) return;
    var places = readJson(el.dataset.mapPlaces) || [];
    var config = readJson(el.dataset.mapConfig) || {};
    el.dataset.mapReady = "1";
    el.hidden = false;
    var map = L.map(el, { worldCopyJump: true, minZoom: 2, maxZoom: config.tiles ? 19 : 14, zoomSnap: 0.5 });
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
