/*
 * input_epub.c - EPUB books (libzip for the container, gumbo for the
 * chapters through input_html.c, a small XML scanner for the package files).
 *
 * The container names the package (OPF): its metadata gives the title, the
 * author and the language, its spine the content documents in reading
 * order, and its table of contents (an EPUB 3 nav document, else the EPUB 2
 * NCX) the chapters: the paragraph where each entry points starts a chapter
 * titled with the entry's label. A book whose content is encrypted (DRM) is
 * refused; fonts obfuscated as the standard allows are not in the way.
 *
 * Limits, so that a hostile zip costs bounded memory and time: at most
 * EPUB_MAX_ENTRIES entries, no file read past EPUB_MAX_FILE bytes
 * unpacked (whatever its header claims), at most EPUB_MAX_TOTAL bytes
 * unpacked in all, at most EPUB_MAX_SPINE spine items and EPUB_MAX_TOC
 * table-of-contents entries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "input.h"
#include "input_pos.h"
#include "vec.h"

#define EPUB_MAX_ENTRIES 20000u
#define EPUB_MAX_FILE ((size_t)48 << 20)
#define EPUB_MAX_TOTAL ((size_t)256 << 20)
#define EPUB_MAX_SPINE 10000u
#define EPUB_MAX_TOC 20000u
#define EPUB_PATH_MAX 1024u

/* ------------------------------------------------------------ XML, scanned */

/* One tag of an XML text: its local name (the part after any prefix) and
 * its attributes' text, borrowed from the document. */
typedef struct xml_tag {
    const char *name;
    size_t name_length;
    const char *attrs;
    size_t attrs_length;
    bool closing;       /* </name> */
    bool empty;         /* <name/> */
} xml_tag;

/* The next tag at or after *pos in s[0..n), skipping comments, processing
 * instructions, declarations and CDATA; the text before it is s[*text_start..tag).
 * False at the end. */
static bool xml_next(const char *s, size_t n, size_t *pos, xml_tag *tag, size_t *text_end)
{
    size_t p = *pos;
    for (;;) {
        while (p < n && s[p] != '<')
            p++;
        *text_end = p;
        if (p >= n) {
            *pos = n;
            return false;
        }
        const char *close = NULL;
        if (n - p >= 4 && memcmp(s + p, "<!--", 4) == 0)
            close = "-->";
        else if (n - p >= 9 && memcmp(s + p, "<![CDATA[", 9) == 0)
            close = "]]>";
        else if (n - p >= 2 && (s[p + 1] == '?' || s[p + 1] == '!'))
            close = ">";
        if (close) {
            size_t k = strlen(close);
            size_t q = p + 2;
            while (q + k <= n && memcmp(s + q, close, k) != 0)
                q++;
            p = q + k <= n ? q + k : n;
            continue;
        }
        size_t q = p + 1;
        tag->closing = q < n && s[q] == '/';
        if (tag->closing)
            q++;
        size_t name = q;
        while (q < n && s[q] != '>' && s[q] != '/' && s[q] != ' ' && s[q] != '\t' &&
               s[q] != '\n' && s[q] != '\r')
            q++;
        tag->name = s + name;
        tag->name_length = q - name;
        for (size_t i = name; i < q; i++) {
            if (s[i] == ':') {
                tag->name = s + i + 1;
                tag->name_length = q - i - 1;
            }
        }
        size_t attrs = q;
        char quote = 0;
        while (q < n && (quote || s[q] != '>')) {
            if (quote && s[q] == quote)
                quote = 0;
            else if (!quote && (s[q] == '"' || s[q] == '\''))
                quote = s[q];
            q++;
        }
        tag->empty = q > attrs && s[q - 1] == '/';
        tag->attrs = s + attrs;
        tag->attrs_length = q - attrs - (tag->empty ? 1 : 0);
        *pos = q < n ? q + 1 : n;
        return true;
    }
}

static bool xml_is(const xml_tag *t, const char *name)
{
    return t->name_length == strlen(name) && memcmp(t->name, name, t->name_length) == 0;
}

/* Appends s[0..n) to out with character references decoded; stops at cap. */
static size_t xml_unescape(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap;) {
        if (s[i] == '&') {
            size_t e = i + 1;
            while (e < n && e - i < 12 && s[e] != ';')
                e++;
            char buf[4];
            size_t k = e < n ? input_entity_decode(s + i, e - i + 1, buf) : 0;
            if (k) {
                memcpy(out + o, buf, k);
                o += k;
                i = e + 1;
                continue;
            }
        }
        out[o++] = s[i++];
    }
    out[o] = '\0';
    return o;
}

/* The value of attribute `name` (local name) of a tag into out; false when absent. */
static bool xml_attr(const xml_tag *t, const char *name, char *out, size_t cap)
{
    const char *s = t->attrs;
    size_t n = t->attrs_length;
    size_t k = strlen(name);
    for (size_t p = 0; p < n;) {
        while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r'))
            p++;
        size_t an = p;
        while (p < n && s[p] != '=' && s[p] != ' ' && s[p] != '\t' && s[p] != '\n' &&
               s[p] != '\r')
            p++;
        size_t ae = p;
        size_t local = an;
        for (size_t i = an; i < ae; i++)
            if (s[i] == ':')
                local = i + 1;
        while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r'))
            p++;
        if (p >= n || s[p] != '=') {
            if (p == an)
                p++;
            continue;
        }
        p++;
        while (p < n && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r'))
            p++;
        if (p >= n || (s[p] != '"' && s[p] != '\''))
            continue;
        char quote = s[p++];
        size_t vs = p;
        while (p < n && s[p] != quote)
            p++;
        if (ae - local == k && memcmp(s + local, name, k) == 0) {
            xml_unescape(s + vs, p - vs, out, cap);
            return true;
        }
        p++;
    }
    return false;
}

/* ------------------------------------------------------------ the zip */

typedef struct epub {
    zip_t *zip;
    size_t unpacked;     /* bytes read so far, against EPUB_MAX_TOTAL */
    char opf_dir[EPUB_PATH_MAX];
    aloud_error *err;
} epub;

typedef struct epub_item {
    char *id;
    char *path;          /* in the zip */
    bool nav;            /* the EPUB 3 nav document */
    bool xhtml;
} epub_item;

typedef struct epub_toc {
    char *path;          /* the content document, in the zip */
    char *fragment;      /* an element id in it; "" for its start */
    char *label;
} epub_toc;

/* Reads the entry `name` (NUL-terminated copy into *out, the caller's).
 * ALOUD_ERR_READ when absent (no message), ALOUD_ERR_MEDIA past a limit. */
static aloud_status epub_file(epub *e, const char *name, char **out, size_t *out_size)
{
    zip_int64_t index = zip_name_locate(e->zip, name, 0);
    if (index < 0)
        return ALOUD_ERR_READ;
    zip_file_t *f = zip_fopen_index(e->zip, (zip_uint64_t)index, 0);
    if (!f)
        return aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0, "cannot unpack %s: %s", name,
                               zip_error_strerror(zip_get_error(e->zip)));
    size_t cap = 0, len = 0;
    char *buf = NULL;
    aloud_status st = ALOUD_OK;
    for (;;) {
        if (!vec_reserve(&buf, &cap, len + 65536 + 1, 1, 65536)) {
            st = aloud_error_set(e->err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
            break;
        }
        zip_int64_t got = zip_fread(f, buf + len, 65536);
        if (got < 0) {
            st = aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0, "cannot unpack %s: %s", name,
                                 zip_error_strerror(zip_file_get_error(f)));
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
        e->unpacked += (size_t)got;
        if (len > EPUB_MAX_FILE || e->unpacked > EPUB_MAX_TOTAL) {
            st = aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                                 "%s unpacks to more than %zu MB (a zip bomb?)",
                                 len > EPUB_MAX_FILE ? name : "the book",
                                 (len > EPUB_MAX_FILE ? EPUB_MAX_FILE : EPUB_MAX_TOTAL) >> 20);
            break;
        }
    }
    zip_fclose(f);
    if (st != ALOUD_OK) {
        free(buf);
        return st;
    }
    buf[len] = '\0';
    *out = buf;
    *out_size = len;
    return ALOUD_OK;
}

/* `href` (URL-encoded, relative to the folder `dir`, which ends in '/' or
 * is empty) as a path in the zip, without its fragment, into out; the
 * fragment into frag (may be NULL). False when it leaves the zip. */
static bool epub_resolve(const char *dir, const char *href, char *out, size_t cap, char *frag,
                         size_t frag_cap)
{
    char joined[2 * EPUB_PATH_MAX + 2];
    const char *hash = strchr(href, '#');
    size_t hlen = hash ? (size_t)(hash - href) : strlen(href);
    if (frag)
        snprintf(frag, frag_cap, "%s", hash ? hash + 1 : "");
    if (strchr(href, ':') && (!hash || strchr(href, ':') < hash))
        return false; /* another scheme: not in the book */
    int k = snprintf(joined, sizeof joined, "%s%.*s", href[0] == '/' ? "" : dir, (int)hlen,
                     href[0] == '/' ? href + 1 : href);
    if (k < 0 || (size_t)k >= sizeof joined)
        return false;
    /* Percent-decoding and "." / ".." segments. */
    size_t o = 0;
    for (size_t i = 0; joined[i] && o + 1 < cap;) {
        if (joined[i] == '%' && joined[i + 1] && joined[i + 2]) {
            char hex[3] = {joined[i + 1], joined[i + 2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (*end == '\0' && v > 0) {
                out[o++] = (char)v;
                i += 3;
                continue;
            }
        }
        if ((o == 0 || out[o - 1] == '/') && joined[i] == '.' &&
            (joined[i + 1] == '/' || joined[i + 1] == '\0')) {
            i += joined[i + 1] ? 2 : 1;
            continue;
        }
        if ((o == 0 || out[o - 1] == '/') && joined[i] == '.' && joined[i + 1] == '.' &&
            (joined[i + 2] == '/' || joined[i + 2] == '\0')) {
            if (o == 0)
                return false;
            o--;
            while (o > 0 && out[o - 1] != '/')
                o--;
            i += joined[i + 2] ? 3 : 2;
            continue;
        }
        out[o++] = joined[i++];
    }
    out[o] = '\0';
    return o > 0;
}

static void epub_dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t k = slash ? (size_t)(slash - path) + 1 : 0;
    snprintf(dir, cap, "%.*s", (int)k, path);
}

/* ------------------------------------------------------------ the parts */

/* Refuses a book whose content is encrypted: META-INF/encryption.xml with
 * anything but the standard font obfuscation, or Adobe's rights.xml. */
static aloud_status epub_check_drm(epub *e)
{
    char *xml = NULL;
    size_t n = 0;
    if (zip_name_locate(e->zip, "META-INF/rights.xml", 0) >= 0)
        return aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                               "the book is DRM-protected (META-INF/rights.xml): aloud cannot "
                               "read it");
    aloud_status st = epub_file(e, "META-INF/encryption.xml", &xml, &n);
    if (st == ALOUD_ERR_READ)
        return ALOUD_OK;
    if (st != ALOUD_OK)
        return st;
    size_t pos = 0, text_end;
    xml_tag t;
    char algorithm[256];
    while (xml_next(xml, n, &pos, &t, &text_end)) {
        if (t.closing || !xml_is(&t, "EncryptionMethod") ||
            !xml_attr(&t, "Algorithm", algorithm, sizeof algorithm))
            continue;
        if (strcmp(algorithm, "http://www.idpf.org/2008/embedding") != 0 &&
            strcmp(algorithm, "http://ns.adobe.com/pdf/enc#RC") != 0) {
            free(xml);
            return aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                                   "the book is DRM-protected (META-INF/encryption.xml encrypts "
                                   "its content): aloud cannot read it");
        }
    }
    free(xml);
    return ALOUD_OK;
}

/* The package's path, from META-INF/container.xml. */
static aloud_status epub_rootfile(epub *e, char *path, size_t cap)
{
    char *xml = NULL;
    size_t n = 0;
    aloud_status st = epub_file(e, "META-INF/container.xml", &xml, &n);
    if (st == ALOUD_ERR_READ)
        return aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                               "not an EPUB: the zip has no META-INF/container.xml");
    if (st != ALOUD_OK)
        return st;
    size_t pos = 0, text_end;
    xml_tag t;
    bool found = false;
    while (!found && xml_next(xml, n, &pos, &t, &text_end))
        found = !t.closing && xml_is(&t, "rootfile") && xml_attr(&t, "full-path", path, cap) &&
                path[0];
    free(xml);
    if (!found)
        return aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                               "not an EPUB: META-INF/container.xml names no package file");
    return ALOUD_OK;
}

/* The text up to the closing tag of the element just opened, unescaped, into out. */
static void epub_element_text(const char *xml, size_t n, size_t *pos, char *out, size_t cap)
{
    size_t start = *pos, text_end;
    xml_tag t;
    size_t o = 0;
    out[0] = '\0';
    /* Text of this element and of any inline children, up to its end. */
    unsigned depth = 1;
    size_t p = start;
    while (depth > 0 && xml_next(xml, n, &p, &t, &text_end)) {
        if (text_end > start && o + 1 < cap) {
            o += xml_unescape(xml + start, text_end - start, out + o, cap - o);
            if (o + 1 < cap)
                out[o++] = ' ';
            out[o] = '\0';
        }
        start = p;
        if (t.closing)
            depth--;
        else if (!t.empty)
            depth++;
    }
    *pos = p;
}

typedef struct epub_book {
    epub_item *items;
    size_t item_count, item_cap;
    size_t *spine;       /* indexes into items */
    size_t spine_count, spine_cap;
    epub_toc *toc;
    size_t toc_count, toc_cap;
    char ncx_id[256];
} epub_book;

static void epub_book_free(epub_book *bk)
{
    for (size_t i = 0; i < bk->item_count; i++) {
        free(bk->items[i].id);
        free(bk->items[i].path);
    }
    for (size_t i = 0; i < bk->toc_count; i++) {
        free(bk->toc[i].path);
        free(bk->toc[i].fragment);
        free(bk->toc[i].label);
    }
    free(bk->items);
    free(bk->spine);
    free(bk->toc);
}

static aloud_status epub_nomem(epub *e)
{
    return aloud_error_set(e->err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
}

/* The package: metadata to the builder, manifest and spine to the book. */
static aloud_status epub_package(epub *e, const char *opf_path, doc_builder *b, epub_book *bk)
{
    char *xml = NULL;
    size_t n = 0;
    aloud_status st = epub_file(e, opf_path, &xml, &n);
    if (st == ALOUD_ERR_READ)
        return aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                               "not an EPUB: its package file %s is missing", opf_path);
    if (st != ALOUD_OK)
        return st;
    epub_dir_of(opf_path, e->opf_dir, sizeof e->opf_dir);
    size_t pos = 0, text_end;
    xml_tag t;
    char value[1024], id[256], href[EPUB_PATH_MAX], path[EPUB_PATH_MAX], type[128];
    while (st == ALOUD_OK && xml_next(xml, n, &pos, &t, &text_end)) {
        if (t.closing)
            continue;
        doc_meta which = DOC_META_COUNT;
        if (xml_is(&t, "title"))
            which = DOC_META_TITLE;
        else if (xml_is(&t, "creator"))
            which = DOC_META_AUTHOR;
        else if (xml_is(&t, "language"))
            which = DOC_META_LANG;
        if (which != DOC_META_COUNT && !t.empty) {
            epub_element_text(xml, n, &pos, value, sizeof value);
            if (!doc_builder_has_meta(b, which) &&
                !doc_builder_meta(b, which, value, strlen(value)))
                st = epub_nomem(e);
        } else if (xml_is(&t, "item")) {
            if (!xml_attr(&t, "id", id, sizeof id) || !xml_attr(&t, "href", href, sizeof href) ||
                !epub_resolve(e->opf_dir, href, path, sizeof path, NULL, 0))
                continue;
            if (bk->item_count >= EPUB_MAX_ENTRIES) {
                st = aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                                     "more than %u items in the package", EPUB_MAX_ENTRIES);
                break;
            }
            if (!vec_reserve(&bk->items, &bk->item_cap, bk->item_count + 1, sizeof *bk->items,
                             64)) {
                st = epub_nomem(e);
                break;
            }
            epub_item *it = &bk->items[bk->item_count];
            it->id = strdup(id);
            it->path = strdup(path);
            it->nav = xml_attr(&t, "properties", value, sizeof value) && strstr(value, "nav");
            it->xhtml = xml_attr(&t, "media-type", type, sizeof type) &&
                        (strstr(type, "html") != NULL);
            if (!it->id || !it->path) {
                free(it->id);
                free(it->path);
                st = epub_nomem(e);
                break;
            }
            bk->item_count++;
        } else if (xml_is(&t, "spine")) {
            if (!xml_attr(&t, "toc", bk->ncx_id, sizeof bk->ncx_id))
                bk->ncx_id[0] = '\0';
        } else if (xml_is(&t, "itemref") && xml_attr(&t, "idref", id, sizeof id)) {
            size_t i = 0;
            while (i < bk->item_count && strcmp(bk->items[i].id, id) != 0)
                i++;
            if (i == bk->item_count) {
                st = aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                                     "the spine names '%s', which the manifest does not list",
                                     id);
                break;
            }
            if (bk->spine_count >= EPUB_MAX_SPINE) {
                st = aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                                     "more than %u items in the spine", EPUB_MAX_SPINE);
                break;
            }
            if (!vec_reserve(&bk->spine, &bk->spine_cap, bk->spine_count + 1,
                             sizeof *bk->spine, 64)) {
                st = epub_nomem(e);
                break;
            }
            bk->spine[bk->spine_count++] = i;
        }
    }
    free(xml);
    if (st == ALOUD_OK && bk->spine_count == 0)
        st = aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                             "not an EPUB: the package %s has no spine", opf_path);
    return st;
}

static aloud_status epub_toc_add(epub *e, epub_book *bk, const char *dir, const char *href,
                                 const char *label)
{
    char path[EPUB_PATH_MAX], frag[256];
    if (!label[0] || !epub_resolve(dir, href, path, sizeof path, frag, sizeof frag))
        return ALOUD_OK;
    if (bk->toc_count >= EPUB_MAX_TOC)
        return ALOUD_OK; /* the chapters past this many stay in the one before */
    if (!vec_reserve(&bk->toc, &bk->toc_cap, bk->toc_count + 1, sizeof *bk->toc, 64))
        return epub_nomem(e);
    epub_toc *t = &bk->toc[bk->toc_count];
    t->path = strdup(path);
    t->fragment = strdup(frag);
    t->label = strdup(label);
    if (!t->path || !t->fragment || !t->label) {
        free(t->path);
        free(t->fragment);
        free(t->label);
        return epub_nomem(e);
    }
    bk->toc_count++;
    return ALOUD_OK;
}

/* Trims spaces at both ends of s, in place. */
static void epub_trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] == ' ' || s[k] == '\n' || s[k] == '\t' || s[k] == '\r')
        k++;
    memmove(s, s + k, n - k + 1);
}

/*
 * The table of contents: the nav document's <nav epub:type="toc"> links
 * (EPUB 3), else the NCX's navPoints (EPUB 2). A book without either has
 * one chapter per paragraph, as a text has.
 */
static aloud_status epub_read_toc(epub *e, epub_book *bk)
{
    const epub_item *nav = NULL, *ncx = NULL;
    for (size_t i = 0; i < bk->item_count; i++) {
        if (bk->items[i].nav && !nav)
            nav = &bk->items[i];
        if (bk->ncx_id[0] && strcmp(bk->items[i].id, bk->ncx_id) == 0)
            ncx = &bk->items[i];
    }
    const epub_item *src = nav ? nav : ncx;
    if (!src)
        return ALOUD_OK;
    char *xml = NULL;
    size_t n = 0;
    aloud_status st = epub_file(e, src->path, &xml, &n);
    if (st == ALOUD_ERR_READ)
        return ALOUD_OK; /* a missing TOC costs the chapters, not the book */
    if (st != ALOUD_OK)
        return st;
    char dir[EPUB_PATH_MAX], href[EPUB_PATH_MAX], label[512], type[128];
    epub_dir_of(src->path, dir, sizeof dir);
    size_t pos = 0, text_end;
    xml_tag t;
    bool in_toc = src != nav;  /* an NCX is all TOC; a nav document has several <nav> */
    unsigned nav_depth = 0;
    href[0] = '\0';
    while (st == ALOUD_OK && xml_next(xml, n, &pos, &t, &text_end)) {
        if (src == nav) {
            if (xml_is(&t, "nav")) {
                if (t.closing) {
                    if (nav_depth > 0 && --nav_depth == 0)
                        in_toc = false;
                } else if (!in_toc && xml_attr(&t, "type", type, sizeof type) &&
                           strstr(type, "toc")) {
                    in_toc = true;
                    nav_depth = 1;
                } else if (in_toc) {
                    nav_depth++;
                }
                continue;
            }
            if (in_toc && !t.closing && xml_is(&t, "a") && !t.empty &&
                xml_attr(&t, "href", href, sizeof href)) {
                epub_element_text(xml, n, &pos, label, sizeof label);
                epub_trim(label);
                st = epub_toc_add(e, bk, dir, href, label);
            }
        } else {
            /* <navPoint><navLabel><text>L</text></navLabel><content src="S"/> */
            if (!t.closing && xml_is(&t, "text") && !t.empty) {
                epub_element_text(xml, n, &pos, label, sizeof label);
                epub_trim(label);
            } else if (!t.closing && xml_is(&t, "content") &&
                       xml_attr(&t, "src", href, sizeof href)) {
                st = epub_toc_add(e, bk, dir, href, label);
                label[0] = '\0';
            } else if (xml_is(&t, "navPoint") && !t.closing) {
                label[0] = '\0';
            }
        }
    }
    free(xml);
    return st;
}

/* ------------------------------------------------------------ the book */

static aloud_status epub_spine(epub *e, doc_builder *b, epub_book *bk)
{
    static const html_opts chapter = {false, false};
    aloud_status st = ALOUD_OK;
    html_mark *marks = calloc(bk->toc_count ? bk->toc_count : 1, sizeof *marks);
    if (!marks)
        return epub_nomem(e);
    for (size_t s = 0; s < bk->spine_count && st == ALOUD_OK; s++) {
        const epub_item *it = &bk->items[bk->spine[s]];
        char *content = NULL;
        size_t size = 0;
        st = epub_file(e, it->path, &content, &size);
        if (st == ALOUD_ERR_READ) {
            st = aloud_error_set(e->err, ALOUD_ERR_MEDIA, 0, 0,
                                 "the spine item '%s' (%s) is missing from the book", it->id,
                                 it->path);
            break;
        }
        if (st != ALOUD_OK)
            break;
        /* Entries that point at this document: its start, or an element in it. */
        size_t mark_count = 0;
        for (size_t i = 0; i < bk->toc_count && st == ALOUD_OK; i++) {
            if (strcmp(bk->toc[i].path, it->path) != 0)
                continue;
            if (bk->toc[i].fragment[0] == '\0') {
                if (!doc_builder_chapter(b, bk->toc[i].label, strlen(bk->toc[i].label)))
                    st = epub_nomem(e);
            } else {
                marks[mark_count++] = (html_mark){bk->toc[i].fragment, bk->toc[i].label};
            }
        }
        if (st == ALOUD_OK && it->xhtml) {
            aloud_error inner;
            st = html_read(b, content, size, &chapter, marks, mark_count, &inner);
            if (st != ALOUD_OK && e->err) {
                *e->err = inner;
                snprintf(e->err->message, sizeof e->err->message, "%.100s: %.150s", it->path,
                         inner.message);
            }
        }
        free(content);
    }
    free(marks);
    return st;
}

aloud_status epub_read(doc_builder *b, const char *data, size_t size, aloud_error *err)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &ze);
    zip_t *zip = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    if (!zip) {
        aloud_status st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                                          "not an EPUB: not a zip file (%s)",
                                          zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return st;
    }
    zip_error_fini(&ze);
    epub e = {zip, 0, "", err};
    epub_book bk;
    memset(&bk, 0, sizeof bk);
    char opf[EPUB_PATH_MAX];
    aloud_status st = ALOUD_OK;
    zip_int64_t entries = zip_get_num_entries(zip, 0);
    if (entries < 0 || (zip_uint64_t)entries > EPUB_MAX_ENTRIES)
        st = aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "more than %u files in the zip",
                             EPUB_MAX_ENTRIES);
    if (st == ALOUD_OK)
        st = epub_check_drm(&e);
    if (st == ALOUD_OK)
        st = epub_rootfile(&e, opf, sizeof opf);
    if (st == ALOUD_OK)
        st = epub_package(&e, opf, b, &bk);
    if (st == ALOUD_OK)
        st = epub_read_toc(&e, &bk);
    if (st == ALOUD_OK)
        st = epub_spine(&e, b, &bk);
    epub_book_free(&bk);
    zip_discard(zip);
    return st;
}
