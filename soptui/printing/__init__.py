"""The papers soptui prints as PDF (fpdf2): the SOP sheet in the Permen
PAN-RB 35/2012 layout, a case's record with its lembar disposisi, and the
six-monthly monitoring form. Client-side code: each builder takes the plain
data the services return and gives back the PDF's bytes; the CLI command or
the screen writes them where the clerk asked."""
