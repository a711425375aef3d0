/*
 * The facilities map: Leaflet over the report's own boundary layer, with no tile server,
 * so that it works offline. Loaded as a file (the CSP allows no inline script); it looks
 * for
 *   <div id="facility-map" data-facilities-url="..." data-basemap-url="..."></div>
 * draws the boundaries (GeoJSON from data-basemap-url) on a plain background, then each
 * facility (a GeoJSON FeatureCollection of points from data-facilities-url, properties
 * `id` and `name`, optionally `kind`) as a marker whose popup links to /facilities/{id}.
 * Text from the data is only ever set with textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  var STYLES = {
    country: { color: "#9e9e9e", weight: 1, fillColor: "#f4f4f1", fillOpacity: 1 },
    province: { color: "#9e9e9e", weight: 1, fillColor: "#eeeeea", fillOpacity: 1 },
    xinjiang: { color: "#555555", weight: 1.5, fillColor: "#fbfaf5", fillOpacity: 1 },
    prefecture: { color: "#b8b8b0", weight: 0.7, fill: false },
  };
  var DRAW_ORDER = ["country", "province", "xinjiang", "prefecture"];

  function getJSON(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json, application/geo+json" },
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ": " + response.status);
      }
      return response.json();
    });
  }

  function escapeHtml(text) {
    return text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function say(box, message) {
    var note = document.createElement("p");
    note.className = "map-note";
    note.textContent = message;
    box.appendChild(note);
  }

  function popup(feature) {
    var props = feature.properties || {};
    var id = props.id !== undefined && props.id !== null ? props.id : feature.id;
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = "/facilities/" + encodeURIComponent(String(id));
    link.textContent = props.name ? String(props.name) : "facility " + String(id);
    box.appendChild(link);
    if (props.kind) {
      var kind = document.createElement("div");
      kind.textContent = String(props.kind);
      box.appendChild(kind);
    }
    return box;
  }

  function drawBoundaries(map, geo) {
    var bounds = null;
    DRAW_ORDER.forEach(function (layer) {
      var features = (geo.features || []).filter(function (f) {
        return f.properties && f.properties.layer === layer;
      });
      if (!features.length) {
        return;
      }
      var drawn = L.geoJSON(
        { type: "FeatureCollection", features: features },
        { style: STYLES[layer], interactive: false }
      ).addTo(map);
      if (layer === "xinjiang") {
        bounds = drawn.getBounds();
      }
    });
    if (geo.citation) {
      // Leaflet reads an attribution as HTML: the citation goes in escaped
      map.attributionControl.addAttribution(escapeHtml(String(geo.citation)));
    }
    return bounds;
  }

  function drawFacilities(map, geo) {
    var layer = L.geoJSON(geo, {
      filter: function (f) {
        return f.geometry && f.geometry.type === "Point";
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, {
          radius: 5,
          color: "#7a1f1f",
          weight: 1,
          fillColor: "#c0392b",
          fillOpacity: 0.85,
        });
      },
      onEachFeature: function (feature, marker) {
        marker.bindPopup(function () {
          return popup(feature);
        });
        var name = feature.properties && feature.properties.name;
        if (name) {
          var label = document.createElement("span");
          label.textContent = String(name); // an element: Leaflet would read a string as HTML
          marker.bindTooltip(label, { direction: "top" });
        }
      },
    }).addTo(map);
    return layer;
  }

  function start() {
    var box = document.getElementById("facility-map");
    if (!box || typeof L === "undefined") {
      return;
    }
    var map = L.map(box, {
      zoomSnap: 0.25,
      minZoom: 3,
      maxZoom: 12,
      attributionControl: true,
    });
    map.attributionControl.setPrefix("Leaflet");
    map.setView([41.5, 85.0], 4.5); // Xinjiang, until the boundaries say better
    var basemap = box.getAttribute("data-basemap-url");
    var facilities = box.getAttribute("data-facilities-url");
    var bounds = null;
    var ready = basemap
      ? getJSON(basemap).then(
          function (geo) {
            bounds = drawBoundaries(map, geo);
          },
          function () {
            say(box, "The boundaries could not be loaded; facilities are shown without them.");
          }
        )
      : Promise.resolve();
    ready
      .then(function () {
        return facilities ? getJSON(facilities) : null;
      })
      .then(function (geo) {
        if (!geo) {
          return;
        }
        var layer = drawFacilities(map, geo);
        var shown = layer.getBounds();
        if (shown.isValid()) {
          map.fitBounds(shown.pad(0.15));
        } else if (bounds && bounds.isValid()) {
          map.fitBounds(bounds);
        }
      })
      .catch(function () {
        say(box, "The facilities could not be loaded.");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
