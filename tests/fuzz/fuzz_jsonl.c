/*
 * fuzz_jsonl.c - libFuzzer target for the CLI's JSONL reading path.
 *
 * The input is the content of a JSONL file.  It is put into a memory file
 * and read exactly as `fintag --jsonl FILE` reads it: cli_input splits it
 * into lines (into a batch slab while it has room, as the pipeline does) (with a small --max-doc-bytes so that the too-large path is
 * reached), cli_doc_prepare parses each line and extracts the text and id,
 * the shipped rules tag the text and cli_json_record renders the output
 * record (or cli_error_record an error record).  Every output record must be
 * one line of valid JSON holding an object, and an error record must carry
 * the input line number, which is what keeps output line N matched with
 * input line N.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_cli.h"
#include "fuzz_shipped.h"

static ft_rules *shipped;
static ft_scanner *scanner;
static int memfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Compiles the shipped rules, makes a scanner and the memory file, once. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_load_shipped(&shipped, &scanner);
    memfd = memfd_create("fuzz.jsonl", 0);
    if (memfd < 0)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    return 0;
}

/* Aborts unless out holds exactly one line of JSON that is an object, and
 * an error record names its line. */
static void check_record(const cli_doc *doc)
{
    cJSON *j = fuzz_doc_record(doc);
    if (doc->failed) {
        cJSON *line = cJSON_GetObjectItemCaseSensitive(j, "line");
        if (!cJSON_IsNumber(line) || (long)line->valuedouble != doc->line)
            abort();
    } else if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "entities"))) {
        abort();
    }
    cJSON_Delete(j);
}

/* Tags one prepared document the way a CLI thread does: its escaped text
 * decoded into scratch, reused from document to document. */
static void tag(cli_ctx *ctx, cli_doc *doc, ft_buf *scratch)
{
    if (cli_doc_prepare(ctx->opts, doc, scratch) != 0)
        return;
    ft_scan_opts so;
    ft_scan_opts_init(&so);
    if (doc->obj) {
        cJSON *d = cJSON_GetObjectItemCaseSensitive(doc->obj, "date");
        if (cJSON_IsString(d))
            so.ref_date = d->valuestring;
    }
    const ft_result *res;
    int rc = ft_scanner_scan(scanner, doc->text, doc->text_len, &so, &res);
    if (rc != FT_OK)
        cli_error_record(doc, ft_strerror(rc), &doc->out);
    else
        ctx->writer->doc(ctx, doc, res, &doc->out);
}

/* Reads the input as a JSONL file and checks every output record. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(memfd, 0) != 0 || pwrite(memfd, data, size, 0) != (ssize_t)size)
        abort();
    const char *inputs[1] = {path};
    cli_opts o;
    fuzz_jsonl_opts(&o);
    o.inputs = inputs;
    o.n_inputs = 1;
    o.jsonl = 1;
    o.max_doc_bytes = 2048;
    cli_ctx ctx;
    fuzz_jsonl_ctx(&ctx, &o, shipped);
    cli_input *in;
    if (cli_input_open(&o, &in) != 0)
        abort();
    /* a small slab, so that early lines are read into it and later ones
     * fall back to buffers of their own, as at the end of a batch */
    static char slab_bytes[2048];
    cli_slab slab = {slab_bytes, sizeof slab_bytes, 0};
    long expect_line = 0;
    ft_buf scratch = {0};
    for (;;) {
        cli_doc doc;
        memset(&doc, 0, sizeof doc);
        int r = cli_input_next(in, &doc, &slab);
        if (r <= 0) {
            cli_doc_free(&doc);
            break;
        }
        if (doc.line != ++expect_line)
            abort(); /* a line was lost or counted twice */
        tag(&ctx, &doc, &scratch);
        check_record(&doc);
        cli_doc_free(&doc);
    }
    ft_buf_free(&scratch);
    cli_input_close(in);
    return 0;
}
