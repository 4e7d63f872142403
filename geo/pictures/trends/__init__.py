"""Pictures of change over time: the Trends page's tables and the trend snapshot with its words and layout.

May import: everything in ``geo.pictures`` (the snapshot included) and the layers below.
"""
