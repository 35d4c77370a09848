/*
 * stream.c - byte streams over files and stdin, gzip-decompressed on the fly.
 *
 * zlib's gzread() fills whole buffers before it returns, so a slow pipe
 * (`tail -f feed.jsonl | fintag --jsonl`) would deliver nothing until 64 KB
 * had arrived.  This reader instead returns whatever read(2) gives, and
 * inflates gzip data (recognised by its magic bytes, whatever the file name;
 * concatenated members included) through a z_stream fed from the same raw
 * buffer, so output can follow input line by line.  cli_stream_ready() tells
 * the pipeline whether more bytes are available without blocking.  Plain
 * data goes straight into a caller's buffer as large as the stream's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"

struct cli_stream {
    int fd;
    int gz;                   /* the stream is gzip */
    int gz_open;              /* inflate is initialised */
    int member_done;          /* the last gzip member ended cleanly */
    int eof;                  /* read(2) returned 0 */
    z_stream zs;
    unsigned char raw[65536];
    size_t raw_pos, raw_len;  /* undelivered raw bytes (plain or compressed) */
    size_t offset;            /* raw bytes read from fd */
    char err[128];
};

/* Reads more raw bytes into the empty raw buffer; 0 at EOF, -1 on error. */
static long fill(cli_stream *s)
{
    ssize_t r;
    do
        r = read(s->fd, s->raw, sizeof s->raw);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        snprintf(s->err, sizeof s->err, "%s", strerror(errno));
        return -1;
    }
    s->raw_pos = 0;
    s->raw_len = (size_t)r;
    s->offset += (size_t)r;
    if (r == 0)
        s->eof = 1;
    return r;
}

cli_stream *cli_stream_open(const char *name)
{
    int fd = strcmp(name, "-") ? open(name, O_RDONLY) : dup(0);
    if (fd < 0)
        return NULL;
    cli_stream *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    s->fd = fd;
    if (fill(s) < 0) {
        int e = errno;
        cli_stream_close(s);
        errno = e;
        return NULL;
    }
    /* a one-byte first read of a pipe cannot show the magic: read on */
    while (s->raw_len == 1 && s->raw[0] == 0x1f && !s->eof) {
        ssize_t r = read(fd, s->raw + 1, sizeof s->raw - 1);
        if (r <= 0)
            break;
        s->raw_len += (size_t)r;
        s->offset += (size_t)r;
    }
    s->gz = s->raw_len >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b;
    if (s->gz) {
        if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK) {
            cli_stream_close(s);
            errno = ENOMEM;
            return NULL;
        }
        s->gz_open = 1;
    }
    return s;
}

/* Inflates into buf; returns bytes produced (> 0), 0 at the end of the
 * data, -1 on a corrupt or truncated stream. */
static long inflate_some(cli_stream *s, char *buf, size_t n)
{
    for (;;) {
        if (s->raw_pos == s->raw_len && !s->eof) {
            if (fill(s) < 0)
                return -1;
        }
        if (s->raw_pos == s->raw_len && s->eof) {
            if (s->member_done)
                return 0;
            snprintf(s->err, sizeof s->err, "truncated gzip data");
            return -1;
        }
        if (s->member_done) {
            /* another gzip member follows the one that ended */
            inflateReset(&s->zs);
            s->member_done = 0;
        }
        s->zs.next_in = s->raw + s->raw_pos;
        s->zs.avail_in = (uInt)(s->raw_len - s->raw_pos);
        s->zs.next_out = (Bytef *)buf;
        s->zs.avail_out = (uInt)n;
        int rc = inflate(&s->zs, Z_NO_FLUSH);
        s->raw_pos = s->raw_len - s->zs.avail_in;
        size_t got = n - s->zs.avail_out;
        if (rc == Z_STREAM_END)
            s->member_done = 1;
        else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(s->err, sizeof s->err, "corrupt gzip data (%s)",
                     s->zs.msg ? s->zs.msg : "inflate failed");
            return -1;
        }
        if (got)
            return (long)got;
    }
}

long cli_stream_read(cli_stream *s, char *buf, size_t n)
{
    if (s->gz)
        return inflate_some(s, buf, n);
    if (s->raw_pos == s->raw_len) {
        if (s->eof)
            return 0;
        if (n >= sizeof s->raw) {
            /* a buffer as large as ours: read into it, sparing a copy */
            ssize_t r;
            do
                r = read(s->fd, buf, n);
            while (r < 0 && errno == EINTR);
            if (r < 0) {
                snprintf(s->err, sizeof s->err, "%s", strerror(errno));
                return -1;
            }
            s->offset += (size_t)r;
            if (r == 0)
                s->eof = 1;
            return (long)r;
        }
        long r = fill(s);
        if (r <= 0)
            return r;
    }
    size_t k = s->raw_len - s->raw_pos;
    if (k > n)
        k = n;
    memcpy(buf, s->raw + s->raw_pos, k);
    s->raw_pos += k;
    return (long)k;
}

int cli_stream_ready(cli_stream *s)
{
    if (s->eof || s->raw_pos < s->raw_len)
        return 1;
    struct pollfd p = {s->fd, POLLIN, 0};
    return poll(&p, 1, 0) != 0;
}

size_t cli_stream_offset(const cli_stream *s)
{
    return s->offset;
}

const char *cli_stream_error(const cli_stream *s)
{
    return s->err[0] ? s->err : "read error";
}

void cli_stream_close(cli_stream *s)
{
    if (!s)
        return;
    if (s->gz_open)
        inflateEnd(&s->zs);
    close(s->fd);
    free(s);
}
