"""Reads a Word document with python-docx, as Word's own object model sees it,
and checks what every Cordon document must hold. Used by the Rust tests
(crates/documents/tests, crates/cli/tests/it/documents.rs).

    python3 docx_check.py FILE MARKING

Checks that every section's header and footer hold the marking, that the
footer has PAGE and NUMPAGES fields, that Heading 1 and Heading 2 are real
styles with outline levels and that the section headings use them. Prints
one JSON object: the sections, the headings and every word of the body,
tables included, headers and footers apart. Exits 1 naming what is wrong.
"""

import json
import sys

import docx
from docx.oxml.ns import qn


def texts(part):
    out = [p.text for p in part.paragraphs]
    for t in part.tables:
        for row in t.rows:
            for cell in row.cells:
                out.extend(p.text for p in cell.paragraphs)
    return out


def fail(msg):
    print(msg, file=sys.stderr)
    sys.exit(1)


def main():
    path, marking = sys.argv[1], sys.argv[2]
    d = docx.Document(path)
    headers, footers = [], []
    for i, s in enumerate(d.sections):
        for kind, part in (("header", s.header), ("footer", s.footer)):
            if part.is_linked_to_previous and i == 0:
                fail(f"section {i + 1} has no {kind} of its own")
            lines = [t for t in texts(part) if t.strip()]
            if not lines:
                fail(f"section {i + 1}: the {kind} is empty")
            if kind == "header" and lines[0] != marking:
                fail(f"section {i + 1}: the header's first line is {lines[0]!r}, not the marking {marking!r}")
            if kind == "footer" and lines[-1] != marking:
                fail(f"section {i + 1}: the footer's last line is {lines[-1]!r}, not the marking {marking!r}")
            (headers if kind == "header" else footers).append(lines)
        instr = " ".join(e.text or "" for e in s.footer._element.iter(qn("w:instrText")))
        if "NUMPAGES" not in instr or "PAGE" not in instr.replace("NUMPAGES", ""):
            fail(f"section {i + 1}: the footer has no PAGE and NUMPAGES fields ({instr!r})")
    for name, level in (("Heading 1", "0"), ("Heading 2", "1")):
        try:
            style = d.styles[name]
        except KeyError:
            fail(f"there is no style {name!r}")
        lvl = style.element.find(qn("w:pPr") + "/" + qn("w:outlineLvl"))
        if lvl is None or lvl.get(qn("w:val")) != level:
            fail(f"the style {name!r} has no outline level {level}")
    headings = [p.text for p in d.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    body = texts(d)
    print(json.dumps({
        "sections": len(d.sections),
        "headers": headers,
        "footers": footers,
        "headings": headings,
        "tables": len(d.tables),
        "header_rows": sum(1 for t in d.tables if t.rows and t.rows[0]._tr.trPr is not None
                           and t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None),
        "text": "\n".join(body),
    }))


if __name__ == "__main__":
    main()
