from sites.widgets import PointPickerWidget


def test_the_picker_pairs_the_inputs_and_names_its_map():
    html = PointPickerWidget().render("longitude", "121.455", {"id": "id_longitude"})
    assert 'id="id_longitude"' in html and 'value="121.455"' in html
    assert 'id="id_point_map"' in html
    assert 'data-lat-name="latitude"' in html
    assert "strict-origin" in html  # the tiles keep their referrer policy


def test_the_picker_works_with_formset_prefixes_and_other_field_names():
    html = PointPickerWidget().render("stops-2-longitude", None, {"id": "id_stops-2-longitude"})
    assert 'id="id_stops-2-point_map"' in html and 'data-lat-name="stops-2-latitude"' in html
    area = PointPickerWidget(lat_field="centroid_lat", lng_field="centroid_lng")
    html = area.render("centroid_lng", None, {"id": "id_centroid_lng"})
    assert 'id="id_point_map"' in html and 'data-lat-name="centroid_lat"' in html


def test_the_picker_brings_leaflet_and_its_script():
    media = str(PointPickerWidget().media)
    assert "leaflet/leaflet.js" in media and "js/point-picker.js" in media
