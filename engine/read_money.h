/* read_money — exact integer đồng: parsing the export formats, checked arithmetic, formatting. */
#ifndef READ_MONEY_H
#define READ_MONEY_H

#include "thk.h"

/* Parses money: "1234567", "1.234.567", "1,234,567", optional trailing "đ", "đồng", "VND"
 * (any case, NFC or not), surrounding spaces. Returns -1 with *out set on success, or the reject:
 * REJ_MONEY_FORMAT, REJ_MONEY_NEGATIVE ("-5", "(5)"), REJ_MONEY_FRACTION ("12,5", "1.5",
 * "1.234,56"), REJ_MONEY_RANGE (> THK_MONEY_MAX). Empty input is REJ_MONEY_FORMAT; the caller
 * decides whether an empty optional field means 0. */
int money_parse(const char *s, size_t len, thk_money *out);

/* *out = a + b; returns false (and leaves *out) on int64 overflow. */
bool money_add(thk_money a, thk_money b, thk_money *out);
/* *out = a - b; false on overflow. */
bool money_sub(thk_money a, thk_money b, thk_money *out);

/* đồng → nghìn đồng, rounded half up (away from zero for negatives). */
thk_money money_to_thousands(thk_money dong);
/* dong / div rounded half away from zero (div > 0): money shown in 1.000 đồng, triệu đồng. */
thk_money money_scale(thk_money dong, int64_t div);

/* Writes the plain decimal integer (no separators) into out (at least 24 bytes). */
void money_format(thk_money v, char *out);

#endif
