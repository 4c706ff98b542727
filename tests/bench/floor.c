/* floor — the benchmark's lower bound: a bare single-threaded libcsv parse that touches every
 * field of the export files (tests/bench/README.md).
 *
 * Usage: floor DIR        parses DIR/cases.csv, DIR/events.csv and DIR/thahc.csv if present
 *        floor FILE...    parses the named files
 * Each file is read with read() in 1 MiB blocks and fed to csv_parse with libcsv's default
 * options. Every field's length is added to a byte count and its last byte folded into a
 * checksum, so the compiler cannot skip any work. Prints one line per file and a total line:
 *   <name> rows=<records incl. header> fields=<n> bytes=<field bytes> sum=<checksum hex>
 * Exit 0 on success, 2 when a file cannot be opened/read or libcsv reports an error. */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLOOR_BLOCK (1u << 20)

typedef struct {
    uint64_t rows;
    uint64_t fields;
    uint64_t bytes;
    uint64_t sum;
} floor_count;

static void floor_on_field(void *s, size_t len, void *data)
{
    floor_count *c = data;
    c->fields++;
    c->bytes += len;
    unsigned last = len ? ((const unsigned char *)s)[len - 1] : 0u;
    c->sum = (c->sum * 31u) ^ last;
}

static void floor_on_record(int term, void *data)
{
    (void)term;
    floor_count *c = data;
    c->rows++;
}

/* Parses one file into *c. Returns 0, or -1 with a message on stderr. */
static int floor_parse(const char *path, floor_count *c, char *buf)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "floor: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct csv_parser p;
    if (csv_init(&p, 0) != 0) {
        fprintf(stderr, "floor: csv_init failed\n");
        close(fd);
        return -1;
    }
    int rc = 0;
    for (;;) {
        ssize_t n = read(fd, buf, FLOOR_BLOCK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "floor: %s: %s\n", path, strerror(errno));
            rc = -1;
            break;
        }
        if (n == 0)
            break;
        size_t len = (size_t)n;
        if (csv_parse(&p, buf, len, floor_on_field, floor_on_record, c) != len) {
            fprintf(stderr, "floor: %s: %s\n", path, csv_strerror(csv_error(&p)));
            rc = -1;
            break;
        }
    }
    if (rc == 0 && csv_fini(&p, floor_on_field, floor_on_record, c) != 0) {
        fprintf(stderr, "floor: %s: %s\n", path, csv_strerror(csv_error(&p)));
        rc = -1;
    }
    csv_free(&p);
    close(fd);
    return rc;
}

static void floor_print(const char *name, const floor_count *c)
{
    printf("%s rows=%" PRIu64 " fields=%" PRIu64 " bytes=%" PRIu64 " sum=%016" PRIx64 "\n", name,
           c->rows, c->fields, c->bytes, c->sum);
}

static int floor_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: floor DIR | floor FILE...\n");
        return argc < 2 ? 1 : 0;
    }
    char *buf = malloc(FLOOR_BLOCK);
    if (!buf) {
        fprintf(stderr, "floor: out of memory\n");
        return 2;
    }
    static const char *const names[] = {"cases.csv", "events.csv", "thahc.csv"};
    const char *files[64];
    char paths[3][4096];
    size_t nfiles = 0;
    if (argc == 2 && floor_is_dir(argv[1])) {
        for (size_t i = 0; i < 3; i++) {
            snprintf(paths[i], sizeof paths[i], "%s/%s", argv[1], names[i]);
            if (i == 2 && access(paths[i], R_OK) != 0)
                continue; /* thahc.csv is optional */
            files[nfiles++] = paths[i];
        }
    } else {
        for (int i = 1; i < argc && nfiles < 64; i++)
            files[nfiles++] = argv[i];
    }
    floor_count total = {0, 0, 0, 0};
    int rc = 0;
    for (size_t i = 0; i < nfiles; i++) {
        floor_count c = {0, 0, 0, 0};
        if (floor_parse(files[i], &c, buf) != 0) {
            rc = 2;
            break;
        }
        floor_print(files[i], &c);
        total.rows += c.rows;
        total.fields += c.fields;
        total.bytes += c.bytes;
        total.sum ^= c.sum;
    }
    if (rc == 0)
        floor_print("total", &total);
    free(buf);
    return rc;
}
