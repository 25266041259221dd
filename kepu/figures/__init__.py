"""What the pages, exports and the meeting screen show: targets judged, the overview's figures, duty coverage, a
view gathered (brief) and its tables. Reads through kepu.storage; writes nothing."""
