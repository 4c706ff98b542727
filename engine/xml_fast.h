/* xml_fast — a streaming reader of the plain XML spreadsheet writers produce, for the sheets
 * and shared strings of a workbook (read_xlsx): a million rows are 450–800 MB of XML, and expat
 * spent half of the read on them. It reads an XML declaration, elements, attributes in either
 * quote, and text with the five predefined entities and character references; it checks on it
 * what expat checks (nesting, one root element, attribute syntax and uniqueness, UTF-8 and XML
 * characters, no "]]>" in text) and makes the calls expat's handlers would get, with the same
 * names (local part), attributes and text. On anything else (a comment, CDATA, a processing
 * instruction, a DOCTYPE, another entity, a name that is not ASCII, a tab, line break or
 * reference in an attribute value, a carriage return in collected text, a token longer than
 * XML_FAST_MAX_TOKEN, nesting deeper than 32, any malformation) it gives up, and the caller has
 * expat read the document again from its start: what it accepts, expat accepts with the same
 * calls (test_xlsx_fast and fuzz_xlsx compare the two). */
#ifndef XML_FAST_H
#define XML_FAST_H

#include <stdbool.h>
#include <stddef.h>

/* The calls a document makes. Each returns non-zero to stop the reading (XML_FAST_STOP). Text
 * is handed over only while *collecting is true (a start or end tag may change it), piece by
 * piece. Pointers are valid during the call only. */
typedef struct {
    int (*start)(void *ud, const char *el, const char **attr); /* attr: name, value, ..., NULL */
    int (*end)(void *ud, const char *el);
    int (*text)(void *ud, const char *s, size_t n);
    const bool *collecting;
    void *ud;
} xml_fast_handlers;

enum { XML_FAST_MORE = 1, XML_FAST_DONE, XML_FAST_GIVEUP, XML_FAST_STOP };

/* The longest token (tag or unbroken text the caller must hold in one buffer). */
#define XML_FAST_MAX_TOKEN (1u << 20)

typedef struct xml_fast xml_fast;

xml_fast *xml_fast_new(const xml_fast_handlers *h);
void xml_fast_free(xml_fast *f);

/* Reads the document's next bytes [*p, e) (eof: they are its last). Returns XML_FAST_MORE when
 * it needs more input, *p left at the first byte it has not taken (keep it and what follows in
 * front of the next bytes); XML_FAST_DONE at the end of a whole document; XML_FAST_GIVEUP when
 * the document is outside the subset or malformed (read it again with expat); XML_FAST_STOP
 * when a handler asked to stop. */
int xml_fast_scan(xml_fast *f, const char **p, const char *e, bool eof);

#endif
