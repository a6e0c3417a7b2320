/* input.c - the kinds of input, told by name or extension, and the one call
 * that parses any of them (aloud_doc_parse_as). */
#include <string.h>
#include <strings.h>

#include "input.h"

static const struct {
    const char *name;
    aloud_input_kind kind;
} input_names[] = {
    {"text", ALOUD_INPUT_TEXT}, {"txt", ALOUD_INPUT_TEXT},
    {"markdown", ALOUD_INPUT_MARKDOWN}, {"md", ALOUD_INPUT_MARKDOWN},
    {"html", ALOUD_INPUT_HTML}, {"epub", ALOUD_INPUT_EPUB},
};

static const struct {
    const char *ext;
    aloud_input_kind kind;
} input_extensions[] = {
    {"md", ALOUD_INPUT_MARKDOWN}, {"markdown", ALOUD_INPUT_MARKDOWN},
    {"html", ALOUD_INPUT_HTML},   {"htm", ALOUD_INPUT_HTML},
    {"xhtml", ALOUD_INPUT_HTML},  {"epub", ALOUD_INPUT_EPUB},
};

aloud_status aloud_input_kind_by_name(const char *name, aloud_input_kind *kind,
                                      aloud_error *err)
{
    for (size_t i = 0; name && i < sizeof input_names / sizeof input_names[0]; i++) {
        if (strcmp(name, input_names[i].name) == 0) {
            if (kind)
                *kind = input_names[i].kind;
            return ALOUD_OK;
        }
    }
    return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                           "unknown input kind '%s' (text, markdown, html or epub)",
                           name ? name : "");
}

aloud_input_kind aloud_input_kind_by_path(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    const char *dot = path ? strrchr(slash ? slash : path, '.') : NULL;
    if (!dot || dot == path || dot[-1] == '/')
        return ALOUD_INPUT_TEXT;
    for (size_t i = 0; i < sizeof input_extensions / sizeof input_extensions[0]; i++)
        if (strcasecmp(dot + 1, input_extensions[i].ext) == 0)
            return input_extensions[i].kind;
    return ALOUD_INPUT_TEXT;
}

const char *aloud_input_kind_name(aloud_input_kind kind)
{
    switch (kind) {
    case ALOUD_INPUT_TEXT: return "text";
    case ALOUD_INPUT_MARKDOWN: return "markdown";
    case ALOUD_INPUT_HTML: return "html";
    case ALOUD_INPUT_EPUB: return "epub";
    }
    return "text";
}

int aloud_input_kind_is_binary(aloud_input_kind kind)
{
    return kind == ALOUD_INPUT_EPUB;
}

aloud_status aloud_doc_parse_as(aloud_input_kind kind, const char *data, size_t size,
                                const aloud_doc_opts *opts, aloud_doc **out, aloud_error *err)
{
    static const html_opts page = {true, false};
    if (kind == ALOUD_INPUT_TEXT)
        return aloud_doc_parse_opts(data, size, opts, out, err);
    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the document");
    *out = NULL;
    if (!data && size > 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no input buffer");
    if (!data)
        data = "";
    const char *lang = opts && opts->lang && opts->lang[0] ? opts->lang : "en";
    if (strlen(lang) >= DOC_LANG_SIZE)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "language code too long: %.20s...", lang);
    doc_builder *b = doc_builder_create(lang);
    if (!b)
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    if (opts &&
        !doc_builder_paragraph_langs(b, opts->paragraph_langs, opts->paragraph_lang_count)) {
        doc_builder_free(b);
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0,
                               "a paragraph's language code is empty or too long");
    }
    aloud_status st;
    switch (kind) {
    case ALOUD_INPUT_MARKDOWN:
        st = md_read(b, data, size, err);
        break;
    case ALOUD_INPUT_HTML:
        st = html_read(b, data, size, &page, NULL, 0, err);
        break;
    case ALOUD_INPUT_EPUB:
        st = epub_read(b, data, size, err);
        break;
    case ALOUD_INPUT_TEXT:
    default:
        st = aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "unknown input kind %d", (int)kind);
        break;
    }
    if (st == ALOUD_OK)
        st = doc_builder_finish(b, out, err);
    doc_builder_free(b);
    return st;
}
