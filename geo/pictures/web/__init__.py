"""The interactive map (folium/Leaflet): the choropleth, circles, controls, and elements whose data is never template text.

May import: ``geo.pictures``' shared modules and the layers below; never ``static``, ``snapshot`` or ``trends``.
"""
