// The map page of issued permits (/peta-izin): Leaflet, the tiles of the page's
// data-tiles, and the permits of the visible area from /webgis/permits (GeoJSON),
// reloaded whenever the map stops moving. Popups are built from text nodes only.
(function () {
  "use strict";
  var el = document.getElementById("peta");
  var status = document.getElementById("peta-status");
  var center = el.dataset.center.split(",").map(Number);
  var map = L.map(el).setView(center, Number(el.dataset.zoom));
  L.tileLayer(el.dataset.tiles, {
    maxZoom: 18,
    attribution: "&copy; kontributor OpenStreetMap"
  }).addTo(map);

  function line(label, value) {
    var p = document.createElement("p");
    var b = document.createElement("strong");
    b.textContent = label + ": ";
    p.appendChild(b);
    p.appendChild(document.createTextNode(value));
    return p;
  }

  var layer = L.geoJSON(null, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 8, color: "#0b3d91", weight: 2, fillOpacity: 0.7 });
    },
    onEachFeature: function (feature, marker) {
      var f = feature.properties;
      var box = document.createElement("div");
      box.appendChild(line("Nomor", f.number));
      box.appendChild(line("Jenis Izin", f.permit_type));
      box.appendChild(line("Instansi", f.agency));
      box.appendChild(line("Berlaku s.d.", f.valid_until));
      var a = document.createElement("a");
      a.href = f.verification_url;
      a.textContent = "Verifikasi izin";
      box.appendChild(a);
      marker.bindPopup(box);
    }
  }).addTo(map);

  function clamp(x, lo, hi) { return Math.max(lo, Math.min(hi, x)); }

  function load() {
    var b = map.getBounds();
    var bbox = [
      clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)
    ].map(function (x) { return x.toFixed(5); }).join(",");
    fetch("/webgis/permits?bbox=" + bbox)
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (res) {
        layer.clearLayers();
        if (!res.ok) {
          status.textContent = res.body.message;
          el.dataset.count = "0";
          return;
        }
        layer.addData(res.body);
        el.dataset.count = String(res.body.features.length);
        status.textContent = res.body.features.length + " izin pada area peta ini";
      })
      .catch(function () { status.textContent = "Data izin tidak dapat dimuat"; });
  }

  map.on("moveend", load);
  load();
})();
