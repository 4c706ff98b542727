/* test_manifest — manifest.json text pinned, JSON escaping, read back, errors. */
#include "manifest.h"
#include "period.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define H64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
               c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static const char *const fx_argv[] = {"thongke", "report", "--year", "2026", "--months", "10"};
static const char *const fx_units[] = {"GL-KV01", "GL-KV02"};

/* A filled info with every section; arrays live in static storage. */
static manifest_info fx_info(void)
{
    static manifest_rule rules[1];
    static manifest_input inputs[2];
    static manifest_output outputs[2];
    static manifest_check checks[2];
    rules[0] = (manifest_rule){"rules/thads.rules", "2026.1", H64("a")};
    inputs[0] = (manifest_input){"input/sample/cases.csv", H64("b"), 123456, 1002, "cp1258",
                                 1000, 990, 10, 3};
    inputs[1] = (manifest_input){"input/sample/events.csv", H64("c"), 654321, 5001, "UTF-8",
                                 5000, 5000, 0, 0};
    outputs[0] = (manifest_output){"cells.csv", H64("d")};
    outputs[1] = (manifest_output){"bao-cao-10-thang-2026.xlsx", H64("e")};
    checks[0] = (manifest_check){"B01 chuyen_ky_sau 2025 = chuyen_sang 2026", true, ""};
    checks[1] = (manifest_check){"B02 chuyen_ky_sau 2025 = chuyen_sang 2026", false,
                                 "GL-KV01: 10 ≠ 12"};
    manifest_info mi = {0};
    mi.tool_version = "0.1.0";
    mi.argc = sizeof fx_argv / sizeof fx_argv[0];
    mi.argv = fx_argv;
    mi.unit = "Cục THADS tỉnh Gia Lai";
    cr_assert(period_months(2026, 10, 1, 10, &mi.per));
    mi.rules = rules;
    mi.nrules = 1;
    mi.inputs = inputs;
    mi.ninputs = 2;
    mi.units = fx_units;
    mi.nunits = 2;
    mi.outputs = outputs;
    mi.noutputs = 2;
    mi.identities_verified = 4242;
    mi.continuity = checks;
    mi.ncontinuity = 2;
    return mi;
}

static const char fx_json[] =
    "{\n"
    "  \"tool\": \"thongke\",\n"
    "  \"version\": \"0.1.0\",\n"
    "  \"command\": [\"thongke\", \"report\", \"--year\", \"2026\", \"--months\", \"10\"],\n"
    "  \"unit\": \"Cục THADS tỉnh Gia Lai\",\n"
    "  \"period\": {\"year\": 2026, \"months\": 10, \"start\": \"2025-10-01\", \"end\": "
    "\"2026-07-31\"},\n"
    "  \"rules\": [\n"
    "    {\"path\": \"rules/thads.rules\", \"version\": \"2026.1\", \"sha256\": \"" H64("a") "\"}\n"
    "  ],\n"
    "  \"inputs\": [\n"
    "    {\"path\": \"input/sample/cases.csv\", \"sha256\": \"" H64("b") "\", \"bytes\": 123456, "
    "\"lines\": 1002, \"encoding\": \"cp1258\", \"rows_read\": 1000, \"rows_accepted\": 990, \"rows_rejected\": 10, \"rows_warned\": 3},\n"
    "    {\"path\": \"input/sample/events.csv\", \"sha256\": \"" H64("c") "\", \"bytes\": 654321, "
    "\"lines\": 5001, \"encoding\": \"UTF-8\", \"rows_read\": 5000, \"rows_accepted\": 5000, \"rows_rejected\": 0, \"rows_warned\": 0}\n"
    "  ],\n"
    "  \"units\": [\"GL-KV01\", \"GL-KV02\"],\n"
    "  \"runs\": [],\n"
    "  \"outputs\": [\n"
    "    {\"path\": \"cells.csv\", \"sha256\": \"" H64("d") "\"},\n"
    "    {\"path\": \"bao-cao-10-thang-2026.xlsx\", \"sha256\": \"" H64("e") "\"}\n"
    "  ],\n"
    "  \"checks\": {\n"
    "    \"identities_verified\": 4242,\n"
    "    \"continuity\": [\n"
    "      {\"name\": \"B01 chuyen_ky_sau 2025 = chuyen_sang 2026\", \"ok\": true, \"detail\": "
    "\"\"},\n"
    "      {\"name\": \"B02 chuyen_ky_sau 2025 = chuyen_sang 2026\", \"ok\": false, \"detail\": "
    "\"GL-KV01: 10 ≠ 12\"}\n"
    "    ]\n"
    "  }\n"
    "}\n";

Test(manifest, render_gives_the_pinned_json_with_fixed_key_order)
{
    manifest_info mi = fx_info();
    thk_buf out = {0};
    manifest_render(&mi, &out);
    cr_expect_str_eq(out.data, fx_json);
    buf_free(&out);
}

Test(manifest, an_empty_info_renders_empty_arrays_and_no_clock_time)
{
    manifest_info mi = {0};
    mi.tool_version = "0.1.0";
    mi.per = (period){2026, 0, THK_DATE_NONE, THK_DATE_NONE};
    thk_buf out = {0};
    manifest_render(&mi, &out);
    cr_expect_str_eq(out.data, "{\n"
                               "  \"tool\": \"thongke\",\n"
                               "  \"version\": \"0.1.0\",\n"
                               "  \"command\": [],\n"
                               "  \"unit\": \"\",\n"
                               "  \"period\": {\"year\": 2026, \"months\": 0, \"start\": \"\", "
                               "\"end\": \"\"},\n"
                               "  \"rules\": [],\n"
                               "  \"inputs\": [],\n"
                               "  \"units\": [],\n"
                               "  \"runs\": [],\n"
                               "  \"outputs\": [],\n"
                               "  \"checks\": {\n"
                               "    \"identities_verified\": 0,\n"
                               "    \"continuity\": []\n"
                               "  }\n"
                               "}\n");
    buf_free(&out);
}

Test(manifest, strings_are_escaped_for_json_and_utf8_passes_through)
{
    const char *argv[] = {"a\"b\\c", "x\ny\tz\r", "\x01\x1f\x7f", "Nguyễn Văn An ₫ 😀",
                          "bad\xff\xc3(byte"};
    manifest_info mi = {0};
    mi.argv = argv;
    mi.argc = 5;
    thk_buf out = {0};
    manifest_render(&mi, &out);
    const char *want = "  \"command\": [\"a\\\"b\\\\c\", \"x\\ny\\tz\\r\", "
                       "\"\\u0001\\u001f\\u007f\", \"Nguyễn Văn An ₫ 😀\", "
                       "\"bad\xEF\xBF\xBD\xEF\xBF\xBD(byte\"],\n";
    cr_expect(strstr(out.data, want) != NULL, "got:\n%s", out.data);
    buf_free(&out);
}

Test(manifest, parse_reads_back_every_field_and_rerenders_identically)
{
    manifest_info mi = fx_info();
    manifest_info back;
    thk_buf err = {0};
    cr_assert_eq(manifest_parse(fx_json, strlen(fx_json), &back, &err), 0, "%s",
                 err.data ? err.data : "");
    cr_expect_str_eq(back.tool_version, "0.1.0");
    cr_expect_eq(back.argc, 6u);
    cr_expect_str_eq(back.argv[4], "--months");
    cr_expect_str_eq(back.unit, "Cục THADS tỉnh Gia Lai");
    cr_expect_eq(back.per.year, 2026);
    cr_expect_eq(back.per.months, 10);
    cr_expect_eq(back.per.S, mi.per.S);
    cr_expect_eq(back.per.E, mi.per.E);
    cr_expect_eq(back.nrules, 1u);
    cr_expect_str_eq(back.rules[0].version, "2026.1");
    cr_expect_str_eq(back.rules[0].sha256, H64("a"));
    cr_expect_eq(back.ninputs, 2u);
    cr_expect_eq(back.inputs[0].bytes, 123456u);
    cr_expect_eq(back.inputs[0].lines, 1002u);
    cr_expect_str_eq(back.inputs[0].encoding, "cp1258");
    cr_expect_eq(back.inputs[0].rows_rejected, 10u);
    cr_expect_eq(back.inputs[0].rows_warned, 3u);
    cr_expect_eq(back.nunits, 2u);
    cr_expect_str_eq(back.units[1], "GL-KV02");
    cr_expect_eq(back.noutputs, 2u);
    cr_expect_str_eq(back.outputs[1].path, "bao-cao-10-thang-2026.xlsx");
    cr_expect_eq(back.identities_verified, 4242u);
    cr_expect_eq(back.ncontinuity, 2u);
    cr_expect(back.continuity[0].ok);
    cr_expect(!back.continuity[1].ok);
    cr_expect_str_eq(back.continuity[1].detail, "GL-KV01: 10 ≠ 12");
    thk_buf again = {0};
    manifest_render(&back, &again);
    cr_expect_str_eq(again.data, fx_json);
    manifest_clear(&back);
    cr_expect_null(back.owned);
    cr_expect_eq(back.nrules, 0u);
    buf_free(&again);
    buf_free(&err);
}

Test(manifest, parse_decodes_escapes_and_surrogate_pairs_and_ignores_unknown_keys)
{
    const char *text = "\xEF\xBB\xBF{\"version\": \"v\\u00e1\\n\\\"\\/\", \"extra\": [1, {\"a\": null}],"
                       " \"command\": [\"\\ud83d\\ude00\", \"\"], \"runs\": [{\"path\": \"r1\","
                       " \"sha256\": \"short\"}]}";
    manifest_info mi;
    thk_buf err = {0};
    cr_assert_eq(manifest_parse(text, strlen(text), &mi, &err), 0, "%s", err.data ? err.data : "");
    cr_expect_str_eq(mi.tool_version, "vá\n\"/");
    cr_expect_eq(mi.argc, 2u);
    cr_expect_str_eq(mi.argv[0], "😀");
    cr_expect_str_eq(mi.argv[1], "");
    cr_expect_eq(mi.nruns, 1u);
    cr_expect_str_eq(mi.runs[0].path, "r1");
    cr_expect_str_eq(mi.runs[0].sha256, "", "a malformed hash is dropped");
    cr_expect_eq(mi.per.S, THK_DATE_NONE);
    cr_expect_eq(mi.ninputs, 0u);
    manifest_clear(&mi);
    buf_free(&err);
}

Test(manifest, malformed_json_is_an_input_error_with_its_line)
{
    static const struct {
        const char *text;
        const char *msg;
    } bad[] = {
        {"", "dòng 1"},
        {"{\n\"a\": 1,\n\"b\": }", "dòng 3"},
        {"{\"a\": \"open", "dòng 1"},
        {"{\"a\": 1.5}", "số nguyên"},
        {"{\"a\": 99999999999999999999}", "quá lớn"},
        {"{\"a\": 1} x", "còn dữ liệu"},
        {"[1, 2]", "đối tượng"},
        {"{\"a\" 1}", "':'"},
        {"{\"a\": \"\\x\"}", "thoát"},
        {"{\"a\": \"tab\there\"}", "điều khiển"},
        {"[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", "sâu"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        manifest_info mi;
        thk_buf err = {0};
        int rc = manifest_parse(bad[i].text, strlen(bad[i].text), &mi, &err);
        cr_expect_eq(rc, THK_EXIT_INPUT, "case %zu", i);
        cr_expect_not_null(err.data, "case %zu", i);
        if (err.data)
            cr_expect(strstr(err.data, bad[i].msg) != NULL, "case %zu: %s", i, err.data);
        cr_expect_null(mi.owned);
        manifest_clear(&mi);
        buf_free(&err);
    }
}

Test(manifest, write_then_read_round_trips_through_a_file)
{
    manifest_info mi = fx_info();
    char *dir = tu_tempdir();
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    thk_buf err = {0};
    cr_assert_eq(manifest_write(path, &mi, &err), 0);
    char *got = tu_read(path, NULL);
    cr_expect_str_eq(got, fx_json);
    manifest_info back;
    cr_assert_eq(manifest_read(path, &back, &err), 0);
    cr_expect_eq(back.identities_verified, 4242u);
    manifest_clear(&back);
    free(got);
    free(dir);
    buf_free(&err);
}

Test(manifest, unwritable_and_unreadable_paths_are_errors_naming_them)
{
    manifest_info mi = fx_info();
    thk_buf err = {0};
    cr_expect_eq(manifest_write("/dev/full", &mi, &err), THK_EXIT_OUTPUT);
    cr_assert_not_null(err.data);
    cr_expect(strstr(err.data, "/dev/full") != NULL, "%s", err.data);
    buf_clear(&err);
    cr_expect_eq(manifest_write("/nonexistent-thongke-dir/m.json", &mi, &err), THK_EXIT_OUTPUT);
    buf_clear(&err);
    manifest_info back;
    cr_expect_eq(manifest_read("/nonexistent-thongke-dir/m.json", &back, &err), THK_EXIT_INPUT);
    cr_expect(strstr(err.data, "/nonexistent-thongke-dir/m.json") != NULL);
    manifest_clear(&back);
    manifest_clear(NULL);
    buf_free(&err);
}
