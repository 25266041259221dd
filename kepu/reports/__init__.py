"""Taking a view away: the Excel workbook, the Word briefing, chart images, the meeting-screen slides and the
Plotly charts the pages draw. Built from kepu.figures."""
