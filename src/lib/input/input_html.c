/*
 * input_html.c - web pages (and an EPUB's chapters) to the document model,
 * with gumbo, Google's HTML5 parser.
 *
 * Why gumbo rather than libxml2's HTML parser: gumbo builds the tree the
 * HTML5 standard (and so every browser) builds from the same bytes, tag
 * soup included (misnested and unclosed tags, implied <p> ends), while
 * libxml2's HTMLparser follows HTML 4 and mends such pages differently; and
 * gumbo gives every node its line and column, which the sentences keep for
 * error messages. It is slower (see README, "Inputs": still a small part of
 * the render) and takes UTF-8 only, so other charsets go through iconv.
 *
 * A web page's main text is found readability-style: every paragraph-like
 * element with enough text scores for its parent and grandparent (commas,
 * length); class and id names such as "article" or "content" add, "comment",
 * "share", "cookie", "footer" subtract; <article> and <main> add; the best
 * container, weighed down by its share of link text, is read with those of
 * its siblings that score close to it. Inside, scripts, styles, navigation,
 * asides, forms, code, figure captions, footnote links and boilerplate
 * boxes are left out.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>

#include "input.h"
#include "utf8.h"
#include "vec.h"

/* gumbo's tree building costs time in the square of the nesting depth (ten
 * thousand nested <div> take 0.7 s, three hundred thousand many minutes):
 * a page nested deeper than this is refused before it is parsed. Real pages
 * stay far below (a few dozen levels). */
#define HTML_MAX_NESTING 2000u
/* Our walks recurse: deeper elements (of a page the scan let through) are not read. */
#define HTML_MAX_DEPTH (HTML_MAX_NESTING + 100u)
/* gumbo needs several times the page in memory: a page larger is refused. */
#define HTML_MAX_BYTES ((size_t)48 << 20)
/* A paragraph shorter than this does not vote for its container. */
#define HTML_MIN_PARA_CHARS 25u

/* One element, in document order (pre-order), with what the scorer learns. */
typedef struct html_el {
    GumboNode *node;
    size_t parent;         /* index, SIZE_MAX for the root */
    size_t text;           /* characters of readable text inside */
    size_t link_text;      /* of them, inside links */
    size_t commas;
    double score;
    bool scored;           /* a container some paragraph voted for */
    bool skip;             /* never read: boilerplate, script, navigation... */
    bool chosen;           /* read (find_main) */
} html_el;

typedef struct html_state {
    doc_builder *b;
    const html_opts *opts;
    const html_mark *marks;
    size_t mark_count;
    bool *mark_used;
    html_el *els;
    size_t el_count;
    size_t el_cap;
    size_t walk;           /* the index of the element the reading walk is at */
    doc_block kind;        /* of the block being read */
    unsigned brs;          /* <br> in a row */
    size_t skipped_code;
    size_t skipped_boxes;
    aloud_status status;
} html_state;

/* ------------------------------------------------------------ what is read */

static bool html_tag_never_read(GumboTag tag, const html_opts *opts)
{
    switch ((int)tag) {
    case GUMBO_TAG_HEAD: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_NAV:
    case GUMBO_TAG_ASIDE: case GUMBO_TAG_FORM: case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_INPUT: case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO: case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_MAP: case GUMBO_TAG_FOOTER: case GUMBO_TAG_MENU:
    case GUMBO_TAG_IMG: case GUMBO_TAG_PRE: case GUMBO_TAG_RP: case GUMBO_TAG_RT:
        return true;
    case GUMBO_TAG_FIGCAPTION:
        return !opts->read_captions;
    default:
        return false;
    }
}

/* Elements that end a paragraph of text before and after them. */
static bool html_tag_is_block(GumboTag tag)
{
    switch ((int)tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_LI: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL:
    case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_TABLE: case GUMBO_TAG_TR:
    case GUMBO_TAG_CAPTION: case GUMBO_TAG_HEADER: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_HR: case GUMBO_TAG_BODY:
    case GUMBO_TAG_CENTER: case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_HGROUP:
        return true;
    default:
        return false;
    }
}

static const char *html_attr(const GumboNode *n, const char *name)
{
    const GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : NULL;
}

/* Case-insensitive: does `word` (lower case) occur in s? */
static bool html_contains(const char *s, const char *word)
{
    size_t k = strlen(word);
    for (; *s; s++) {
        size_t i = 0;
        while (i < k && s[i] && ((unsigned char)s[i] | 0x20u) == (unsigned char)word[i])
            i++;
        if (i == k)
            return true;
    }
    return false;
}

/* Case-insensitive: does any word of the list occur in s? */
static bool html_has_any(const char *s, const char *const *words, size_t count)
{
    if (!s)
        return false;
    for (size_t i = 0; i < count; i++)
        if (html_contains(s, words[i]))
            return true;
    return false;
}

/* Class and id names of boxes that are not the article (after readability's
 * "unlikely candidates", with the boxes of today's pages). */
static const char *const html_unlikely[] = {
    "-ad-", "ad-break", "adbox", "advert", "agegate", "banner", "breadcrumb", "combx",
    "comment", "community", "consent", "cookie", "copyright", "disqus", "editsection", "footer", "gdpr",
    "header", "legends", "masthead", "menu", "modal", "navbar", "navbox", "newsletter",
    "noprint", "pagination", "pager", "popup", "promo", "related", "remark", "replies",
    "rss", "share", "sharing", "shoutbox", "sidebar", "skip-link", "skyscraper", "social",
    "sponsor", "subscribe", "supplemental", "toolbar", "tweet", "widget", "catlinks",
    "mw-jump", "printfooter", "reflist", "references", "metadata", "hatnote", "infobox",
    "toc", "signup", "paywall", "outbrain", "taboola",
};
/* ...unless they also say this. */
static const char *const html_maybe[] = {"and", "article", "body", "column", "content", "main",
                                         "shadow", "post-text", "entry"};
/* Names that make a container likelier or less likely (readability's weights). */
static const char *const html_positive[] = {
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "pagination",
    "post", "text", "blog", "story",
};
static const char *const html_negative[] = {
    "-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "foot", "footer",
    "footnote", "gdpr", "masthead", "media", "meta", "outbrain", "promo", "related", "scroll",
    "share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "tool",
    "widget", "cookie",
};
/* ARIA roles of what is not the article. */
static const char *const html_roles[] = {
    "navigation", "complementary", "banner", "contentinfo", "dialog", "alertdialog", "search",
    "menu", "menubar", "toolbar", "doc-noteref", "doc-endnotes", "doc-footnote", "note",
};

#define HTML_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool html_is_footnote_link(const GumboNode *n)
{
    GumboTag tag = n->v.element.tag;
    const char *cls = html_attr(n, "class");
    if (tag == GUMBO_TAG_SUP || tag == GUMBO_TAG_A) {
        if (html_has_any(cls, (const char *const[]){"footnote", "noteref", "reference", "fn-",
                                                    "headerlink", "anchor"},
                         6))
            return true;
        /* <sup><a href="#fn3">3</a></sup> */
        if (tag == GUMBO_TAG_SUP && n->v.element.children.length == 1) {
            const GumboNode *c = n->v.element.children.data[0];
            const char *href = c->type == GUMBO_NODE_ELEMENT && c->v.element.tag == GUMBO_TAG_A
                                   ? html_attr(c, "href")
                                   : NULL;
            if (href && href[0] == '#')
                return true;
        }
    }
    return false;
}

/* Whether an element is never read, whatever the container. */
static bool html_el_skipped(const GumboNode *n, const html_opts *opts)
{
    GumboTag tag = n->v.element.tag;
    if (html_tag_never_read(tag, opts) || html_is_footnote_link(n))
        return true;
    if (html_attr(n, "hidden"))
        return true;
    const char *v = html_attr(n, "aria-hidden");
    if (v && strcasecmp(v, "true") == 0)
        return true;
    v = html_attr(n, "style");
    if (v && (html_contains(v, "display:none") || html_contains(v, "display: none")))
        return true;
    v = html_attr(n, "role");
    for (size_t i = 0; v && i < HTML_COUNT(html_roles); i++)
        if (strcasecmp(v, html_roles[i]) == 0)
            return true;
    v = html_attr(n, "epub:type");
    if (v && (strstr(v, "noteref") || strstr(v, "footnote") || strstr(v, "endnote")))
        return true;
    if (!opts->find_main || tag == GUMBO_TAG_BODY || tag == GUMBO_TAG_HTML ||
        tag == GUMBO_TAG_ARTICLE || tag == GUMBO_TAG_MAIN || tag == GUMBO_TAG_A)
        return false;
    const char *names[2] = {html_attr(n, "class"), html_attr(n, "id")};
    for (size_t i = 0; i < 2; i++)
        if (html_has_any(names[i], html_unlikely, HTML_COUNT(html_unlikely)) &&
            !html_has_any(names[i], html_maybe, HTML_COUNT(html_maybe)))
            return true;
    return false;
}

/* ------------------------------------------------------------ the elements */

/* Characters of text, not counting spaces (a rough, cheap measure). */
static size_t html_text_chars(const char *s, size_t *commas)
{
    size_t n = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        n += c > ' ' && (c & 0xC0u) != 0x80u;
        *commas += c == ',';
    }
    return n;
}

/* Numbers every element in pre-order, with its readable text; returns the
 * index of `n` (SIZE_MAX when out of memory). */
static size_t html_index(html_state *s, GumboNode *n, size_t parent, unsigned depth,
                         bool in_link, bool in_skip)
{
    size_t me = s->el_count;
    if (!vec_reserve(&s->els, &s->el_cap, me + 1, sizeof *s->els, 256)) {
        s->status = ALOUD_ERR_NOMEM;
        return SIZE_MAX;
    }
    html_el *e = &s->els[s->el_count++];
    memset(e, 0, sizeof *e);
    e->node = n;
    e->parent = parent;
    e->skip = in_skip || html_el_skipped(n, s->opts);
    bool link = in_link || n->v.element.tag == GUMBO_TAG_A;
    if (depth >= HTML_MAX_DEPTH)
        return me;
    const GumboVector *kids = &n->v.element.children;
    for (size_t i = 0; i < kids->length; i++) {
        GumboNode *c = kids->data[i];
        if (c->type == GUMBO_NODE_ELEMENT || c->type == GUMBO_NODE_TEMPLATE) {
            size_t k = html_index(s, c, me, depth + 1, link, s->els[me].skip);
            if (k == SIZE_MAX)
                return SIZE_MAX;
            if (!s->els[k].skip) {
                s->els[me].text += s->els[k].text;
                s->els[me].link_text += s->els[k].link_text;
                s->els[me].commas += s->els[k].commas;
            }
        } else if ((c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_CDATA) &&
                   !s->els[me].skip) {
            size_t chars = html_text_chars(c->v.text.text, &s->els[me].commas);
            s->els[me].text += chars;
            if (link)
                s->els[me].link_text += chars;
        }
    }
    return me;
}

static double html_name_weight(const GumboNode *n)
{
    double w = 0;
    const char *names[2] = {html_attr(n, "class"), html_attr(n, "id")};
    for (size_t i = 0; i < 2; i++) {
        if (html_has_any(names[i], html_negative, HTML_COUNT(html_negative)))
            w -= 25;
        if (html_has_any(names[i], html_positive, HTML_COUNT(html_positive)))
            w += 25;
    }
    return w;
}

static double html_tag_weight(GumboTag tag)
{
    switch ((int)tag) {
    case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN: return 25;
    case GUMBO_TAG_DIV: return 5;
    case GUMBO_TAG_SECTION: case GUMBO_TAG_PRE: case GUMBO_TAG_TD: case GUMBO_TAG_BLOCKQUOTE:
        return 3;
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_OL: case GUMBO_TAG_UL: case GUMBO_TAG_DL:
    case GUMBO_TAG_DD: case GUMBO_TAG_DT: case GUMBO_TAG_LI: case GUMBO_TAG_FORM: return -3;
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TH: return -5;
    default: return 0;
    }
}

static double html_link_density(const html_el *e)
{
    return e->text ? (double)e->link_text / (double)e->text : 0.0;
}

/* Whether an element is a paragraph for the scorer: <p>, <td>, <pre>, or a
 * <div> or <li> with text of its own and no block inside. */
static bool html_is_paragraph(const html_state *s, size_t i)
{
    GumboTag tag = s->els[i].node->v.element.tag;
    if (tag == GUMBO_TAG_P || tag == GUMBO_TAG_TD || tag == GUMBO_TAG_BLOCKQUOTE)
        return true;
    if (tag != GUMBO_TAG_DIV && tag != GUMBO_TAG_LI && tag != GUMBO_TAG_SECTION)
        return false;
    const GumboVector *kids = &s->els[i].node->v.element.children;
    for (size_t k = 0; k < kids->length; k++) {
        const GumboNode *c = kids->data[k];
        if (c->type == GUMBO_NODE_ELEMENT && html_tag_is_block(c->v.element.tag))
            return false;
    }
    return true;
}

static doc_block html_heading_kind(GumboTag tag);

/* Whether the last text inside ends with a period: a short paragraph of prose. */
static bool html_ends_sentence(const GumboNode *n, unsigned depth)
{
    for (size_t i = n->v.element.children.length; i > 0; i--) {
        const GumboNode *c = n->v.element.children.data[i - 1];
        if (c->type == GUMBO_NODE_WHITESPACE)
            continue;
        if (c->type == GUMBO_NODE_ELEMENT)
            return depth < 64 && html_ends_sentence(c, depth + 1);
        if (c->type != GUMBO_NODE_TEXT)
            return false;
        size_t k = strlen(c->v.text.text);
        while (k > 0 && (c->v.text.text[k - 1] == ' ' || c->v.text.text[k - 1] == '\n'))
            k--;
        return k > 0 && c->v.text.text[k - 1] == '.';
    }
    return false;
}

/* Picks the main text: marks the chosen elements. False when there is none. */
static bool html_choose(html_state *s)
{
    for (size_t i = 0; i < s->el_count; i++) {
        html_el *e = &s->els[i];
        if (e->skip || e->text < HTML_MIN_PARA_CHARS || !html_is_paragraph(s, i))
            continue;
        double score = 1.0 + (double)e->commas + (double)(e->text / 100 < 3 ? e->text / 100 : 3);
        size_t a = e->parent;
        for (unsigned level = 0; level < 5 && a != SIZE_MAX; level++, a = s->els[a].parent) {
            html_el *anc = &s->els[a];
            if (anc->skip)
                break;
            if (!anc->scored) {
                anc->scored = true;
                anc->score = html_tag_weight(anc->node->v.element.tag) +
                             html_name_weight(anc->node);
            }
            anc->score += score / (level == 0 ? 1.0 : level == 1 ? 2.0 : level * 3.0);
        }
    }
    size_t top = SIZE_MAX;
    for (size_t i = 0; i < s->el_count; i++) {
        html_el *e = &s->els[i];
        if (!e->scored)
            continue;
        e->score *= 1.0 - html_link_density(e);
        if (top == SIZE_MAX || e->score > s->els[top].score)
            top = i;
    }
    if (top == SIZE_MAX)
        return false;
    /* Readability's climb: an ancestor that scores above the one below it
     * (within a third of it on the way) holds more of the same text. */
    double last = s->els[top].score;
    for (size_t a = s->els[top].parent; a != SIZE_MAX; a = s->els[a].parent) {
        GumboTag t = s->els[a].node->v.element.tag;
        if (t == GUMBO_TAG_BODY || t == GUMBO_TAG_HTML || s->els[a].skip)
            break;
        if (!s->els[a].scored)
            continue;
        if (s->els[a].score > last) {
            top = a;
            break;
        }
        if (s->els[a].score < last / 3.0)
            break;
        last = s->els[a].score;
    }
    /* A container whose parent holds little more is the parent's story. */
    while (s->els[top].parent != SIZE_MAX) {
        html_el *p = &s->els[s->els[top].parent];
        GumboTag t = p->node->v.element.tag;
        if (p->skip || t == GUMBO_TAG_BODY || t == GUMBO_TAG_HTML ||
            (double)p->text > (double)s->els[top].text * 1.25)
            break;
        top = s->els[top].parent;
    }
    s->els[top].chosen = true;
    /* Siblings that score close to it, or read like paragraphs, come too. */
    double threshold = s->els[top].score * 0.2 > 10.0 ? s->els[top].score * 0.2 : 10.0;
    size_t parent = s->els[top].parent;
    if (parent == SIZE_MAX)
        return true;
    for (size_t i = parent + 1; i < s->el_count; i++) {
        html_el *e = &s->els[i];
        if (e->parent != parent || i == top || e->skip)
            continue;
        double ld = html_link_density(e);
        /* Readability's bonus: a sibling of the same kind and class as the
         * best is likely more of the same (the entries of a manual). */
        const char *cls = html_attr(e->node, "class");
        const char *top_cls = html_attr(s->els[top].node, "class");
        double bonus = cls && top_cls && cls[0] && strcmp(cls, top_cls) == 0 &&
                               e->node->v.element.tag == s->els[top].node->v.element.tag
                           ? s->els[top].score * 0.2
                           : 0.0;
        if (e->scored && e->score + bonus >= threshold)
            e->chosen = true;
        else if (e->node->v.element.tag == GUMBO_TAG_P && e->text > 80 && ld < 0.25)
            e->chosen = true;
        else if (e->node->v.element.tag == GUMBO_TAG_P && e->text > 0 && e->link_text == 0 &&
                 html_ends_sentence(e->node, 0))
            e->chosen = true;
    }
    /* A heading among them belongs to the text chosen after it. */
    bool later = false;
    for (size_t i = s->el_count; i > parent + 1; i--) {
        html_el *e = &s->els[i - 1];
        if (e->parent != parent)
            continue;
        if (e->chosen)
            later = true;
        else if (later && !e->skip && html_heading_kind(e->node->v.element.tag) != DOC_BLOCK_BODY)
            e->chosen = true;
    }
    return true;
}

/* ------------------------------------------------------------ the reading */

static void html_block_end(html_state *s)
{
    if (s->status != ALOUD_OK)
        return;
    s->status = doc_builder_end(s->b, s->kind);
    s->kind = DOC_BLOCK_BODY;
}

static void html_feed(html_state *s, const GumboText *t)
{
    if (s->status != ALOUD_OK)
        return;
    s->brs = 0;
    if (!doc_builder_text(s->b, t->text, strlen(t->text), t->start_pos.line,
                          t->start_pos.column))
        s->status = ALOUD_ERR_NOMEM;
}

static doc_block html_heading_kind(GumboTag tag)
{
    switch ((int)tag) {
    case GUMBO_TAG_H1: return DOC_BLOCK_TITLE;
    case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
    case GUMBO_TAG_H6: return DOC_BLOCK_HEADING;
    default: return DOC_BLOCK_BODY;
    }
}

static void html_mark_check(html_state *s, const GumboNode *n)
{
    const char *id = html_attr(n, "id");
    if (!id)
        return;
    for (size_t i = 0; i < s->mark_count; i++) {
        if (!s->mark_used[i] && s->marks[i].id && strcmp(s->marks[i].id, id) == 0) {
            html_block_end(s);
            s->mark_used[i] = true;
            if (s->status == ALOUD_OK &&
                !doc_builder_chapter(s->b, s->marks[i].label, strlen(s->marks[i].label)))
                s->status = ALOUD_ERR_NOMEM;
        }
    }
}

/* Reads element s->els[s->walk] and what is inside; `reading` says whether
 * an ancestor was chosen (or everything is read). Keeps s->walk in step
 * with html_index(). */
static void html_read_el(html_state *s, bool reading, unsigned depth)
{
    size_t me = s->walk++;
    html_el *e = &s->els[me];
    GumboNode *n = e->node;
    GumboTag tag = n->v.element.tag;
    bool skip = e->skip;
    reading = reading || e->chosen;
    if (s->mark_count)
        html_mark_check(s, n);
    if (skip && reading && e->text > 0) {
        if (tag == GUMBO_TAG_PRE)
            s->skipped_code++;
        else if (!html_tag_never_read(tag, s->opts))
            s->skipped_boxes++;
    }
    bool block = reading && !skip && html_tag_is_block(tag);
    if (block) {
        html_block_end(s);
        s->kind = html_heading_kind(tag);
    }
    if (reading && !skip && tag == GUMBO_TAG_BR) {
        if (++s->brs >= 2)
            html_block_end(s);
        else
            doc_builder_space(s->b);
    }
    if (depth >= HTML_MAX_DEPTH)
        return;
    const GumboVector *kids = &n->v.element.children;
    for (size_t i = 0; i < kids->length && s->status == ALOUD_OK; i++) {
        GumboNode *c = kids->data[i];
        if (c->type == GUMBO_NODE_ELEMENT || c->type == GUMBO_NODE_TEMPLATE) {
            html_read_el(s, reading && !skip, depth + 1);
            if (reading && !skip && !html_tag_is_block(c->v.element.tag) &&
                (c->v.element.tag == GUMBO_TAG_TD || c->v.element.tag == GUMBO_TAG_TH))
                doc_builder_space(s->b);
        } else if (reading && !skip) {
            if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_CDATA)
                html_feed(s, &c->v.text);
            else if (c->type == GUMBO_NODE_WHITESPACE)
                doc_builder_space(s->b);
        }
    }
    if (block)
        html_block_end(s);
}

/* Skips the subtree of s->els[s->walk] in the walk. */
/* ------------------------------------------------------------ metadata */

/* The text inside an element, spaces collapsed, into a malloc'd string. */
static bool html_text_append(const GumboNode *n, char **buf, size_t *len, size_t *cap,
                             unsigned depth)
{
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA ||
        n->type == GUMBO_NODE_WHITESPACE) {
        size_t k = strlen(n->v.text.text);
        if (!vec_reserve(buf, cap, *len + k + 2, 1, 64))
            return false;
        memcpy(*buf + *len, n->v.text.text, k);
        *len += k;
        (*buf)[(*len)++] = ' ';
        (*buf)[*len] = '\0';
        return true;
    }
    if (n->type != GUMBO_NODE_ELEMENT || depth > 64 ||
        n->v.element.tag == GUMBO_TAG_SCRIPT || n->v.element.tag == GUMBO_TAG_STYLE ||
        html_is_footnote_link(n))
        return true;
    for (size_t i = 0; i < n->v.element.children.length; i++)
        if (!html_text_append(n->v.element.children.data[i], buf, len, cap, depth + 1))
            return false;
    return true;
}

static char *html_text_of(const GumboNode *n)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!html_text_append(n, &buf, &len, &cap, 0)) {
        free(buf);
        return NULL;
    }
    return buf ? buf : calloc(1, 1);
}

/* What the page says of itself. */
typedef struct html_meta {
    const char *og_title;      /* borrowed from the tree */
    const char *author;
    const char *lang;
    const GumboNode *title;    /* <title> */
    const GumboNode *h1;       /* the first <h1> */
    const GumboNode *byline;   /* an element named author or byline */
    size_t h1_count;
    const char *json_ld[8];    /* the texts of JSON-LD scripts */
    size_t json_ld_count;
} html_meta;

static void html_meta_walk(const GumboNode *n, html_meta *m, unsigned depth)
{
    if (n->type != GUMBO_NODE_ELEMENT || depth > HTML_MAX_DEPTH)
        return;
    GumboTag tag = n->v.element.tag;
    /* <html lang>, else <body lang> (texinfo writes it there). */
    if ((tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_BODY) && !m->lang)
        m->lang = html_attr(n, "lang") ? html_attr(n, "lang") : html_attr(n, "xml:lang");
    if (tag == GUMBO_TAG_META) {
        const char *prop = html_attr(n, "property");
        const char *name = html_attr(n, "name");
        const char *content = html_attr(n, "content");
        if (content && *content) {
            if (prop && strcasecmp(prop, "og:title") == 0 && !m->og_title)
                m->og_title = content;
            if (((name && strcasecmp(name, "author") == 0) ||
                 (prop && strcasecmp(prop, "article:author") == 0)) &&
                !m->author && !strstr(content, "://"))
                m->author = content;
        }
    }
    if (tag == GUMBO_TAG_TITLE && !m->title)
        m->title = n;
    if (tag == GUMBO_TAG_H1) {
        if (!m->h1)
            m->h1 = n;
        m->h1_count++;
    }
    if (tag == GUMBO_TAG_SCRIPT) {
        const char *type = html_attr(n, "type");
        if (type && strcasecmp(type, "application/ld+json") == 0 && m->json_ld_count < 8 &&
            n->v.element.children.length > 0) {
            const GumboNode *t = n->v.element.children.data[0];
            if (t->type == GUMBO_NODE_TEXT)
                m->json_ld[m->json_ld_count++] = t->v.text.text;
        }
        return;
    }
    if (!m->byline && (tag != GUMBO_TAG_META && tag != GUMBO_TAG_LINK && tag != GUMBO_TAG_BODY &&
                       tag != GUMBO_TAG_HTML)) {
        const char *rel = html_attr(n, "rel");
        const char *itemprop = html_attr(n, "itemprop");
        const char *cls = html_attr(n, "class");
        if ((rel && strcasecmp(rel, "author") == 0) ||
            (itemprop && html_contains(itemprop, "author")) ||
            html_has_any(cls, (const char *const[]){"byline", "author"}, 2))
            m->byline = n;
    }
    for (size_t i = 0; i < n->v.element.children.length; i++)
        html_meta_walk(n->v.element.children.data[i], m, depth + 1);
}

/*
 * The string value after "key": in a JSON text, unescaped into a malloc'd
 * string; NULL when absent. For "author" the value may be an object or a
 * list of them: then the first "name" inside.
 */
static char *html_json_string(const char *json, const char *key)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *p = strstr(json, pattern);
    if (!p)
        return NULL;
    p += strlen(pattern);
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (*p == '[' || *p == '{') {
        const char *name = strstr(p, "\"name\"");
        return name && name - p < 400 ? html_json_string(name, "name") : NULL;
    }
    if (*p != '"')
        return NULL;
    p++;
    size_t cap = strlen(p) + 1;
    char *out = malloc(cap);
    size_t n = 0;
    if (!out)
        return NULL;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) {
            p++;
            if (*p == 'u') {
                unsigned cp = 0;
                int k = 0;
                for (; k < 4 && p[1 + k]; k++) {
                    char c = p[1 + k];
                    unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                                 : ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                                     ? (unsigned)((c | 0x20) - 'a' + 10)
                                     : 16u;
                    if (d == 16)
                        break;
                    cp = cp * 16 + d;
                }
                if (k == 4 && !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0) {
                    char enc[4];
                    size_t len = utf8_encode(cp, enc);
                    if (n + len < cap) {
                        memcpy(out + n, enc, len);
                        n += len;
                    }
                }
                p += 1 + k;
                continue;
            }
            out[n++] = *p == 'n' || *p == 't' || *p == 'r' ? ' ' : *p;
            p++;
            continue;
        }
        out[n++] = *p++;
    }
    out[n] = '\0';
    return out;
}

/* The title of <title>, without the site's name after a separator. */
static void html_clean_title(char *t, const char *h1)
{
    static const char *const seps[] = {" | ", " - ", " \xE2\x80\x93 ", " \xE2\x80\x94 ", " :: ",
                                       " \xC2\xB7 ", " \xC2\xBB "};
    char *cut = NULL;
    for (size_t i = 0; i < HTML_COUNT(seps); i++) {
        char *p = t;
        while ((p = strstr(p, seps[i])) != NULL) {
            if (!cut || p > cut)
                cut = p;
            p++;
        }
    }
    if (!cut)
        return;
    /* The page's own heading, when it is one of the parts, is the title. */
    if (h1) {
        size_t k = strlen(h1);
        while (k > 0 && h1[k - 1] == ' ')
            k--;
        while (*h1 == ' ') {
            h1++;
            k--;
        }
        if (k > 0 && strncmp(t, h1, k) == 0 && (t[k] == ' ' || t[k] == '\0')) {
            t[k] = '\0';
            return;
        }
    }
    size_t words = 1;
    for (char *p = t; p < cut; p++)
        words += *p == ' ';
    if (words >= 3)
        *cut = '\0';
}

static bool html_set_meta(doc_builder *b, doc_meta which, const char *s)
{
    return !s || doc_builder_has_meta(b, which) || doc_builder_meta(b, which, s, strlen(s));
}

/* Title, author and language from the page. */
static aloud_status html_metadata(html_state *s, const GumboNode *root, const GumboNode **h1)
{
    html_meta m;
    memset(&m, 0, sizeof m);
    html_meta_walk(root, &m, 0);
    *h1 = m.h1;
    char *title_text = m.title ? html_text_of(m.title) : NULL;
    char *h1_text = m.h1 ? html_text_of(m.h1) : NULL;
    char *ld_title = NULL, *ld_author = NULL;
    for (size_t i = 0; i < m.json_ld_count; i++) {
        if (!ld_title)
            ld_title = html_json_string(m.json_ld[i], "headline");
        if (!ld_author)
            ld_author = html_json_string(m.json_ld[i], "author");
    }
    char *byline = m.byline && !m.author && !ld_author ? html_text_of(m.byline) : NULL;
    if (byline) {
        char *p = byline;
        while (*p == ' ' || *p == '\n' || *p == '\t')
            p++;
        if (strncasecmp(p, "by ", 3) == 0)
            memmove(byline, p + 3, strlen(p + 3) + 1);
        if (strlen(byline) > 100)
            byline[0] = '\0';
    }
    if (title_text)
        html_clean_title(title_text, h1_text);
    bool ok = html_set_meta(s->b, DOC_META_TITLE, m.og_title) &&
              html_set_meta(s->b, DOC_META_TITLE, ld_title) &&
              html_set_meta(s->b, DOC_META_TITLE, title_text) &&
              html_set_meta(s->b, DOC_META_TITLE, h1_text) &&
              html_set_meta(s->b, DOC_META_AUTHOR, m.author) &&
              html_set_meta(s->b, DOC_META_AUTHOR, ld_author) &&
              html_set_meta(s->b, DOC_META_AUTHOR, byline) &&
              html_set_meta(s->b, DOC_META_LANG, m.lang);
    if (m.h1_count != 1)
        *h1 = NULL;
    free(title_text);
    free(h1_text);
    free(ld_title);
    free(ld_author);
    free(byline);
    return ok ? ALOUD_OK : ALOUD_ERR_NOMEM;
}

/* ------------------------------------------------------------ charsets */

/* The charset a page declares in its first bytes (<meta charset>, or
 * http-equiv's content), into name; false when none. */
static bool html_declared_charset(const char *data, size_t size, char *name, size_t cap)
{
    size_t n = size < 4096 ? size : 4096;
    for (size_t i = 0; i + 8 < n; i++) {
        if (strncasecmp(data + i, "charset=", 8) != 0)
            continue;
        size_t p = i + 8;
        while (p < n && (data[p] == '"' || data[p] == '\'' || data[p] == ' '))
            p++;
        size_t k = 0;
        while (p < n && k + 1 < cap &&
               ((data[p] >= 'a' && data[p] <= 'z') || (data[p] >= 'A' && data[p] <= 'Z') ||
                (data[p] >= '0' && data[p] <= '9') || data[p] == '-' || data[p] == '_' ||
                data[p] == ':' || data[p] == '.'))
            name[k++] = data[p++];
        name[k] = '\0';
        if (k > 0)
            return true;
    }
    return false;
}

static bool html_is_utf8_name(const char *name)
{
    return strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0 ||
           strcasecmp(name, "unicode-1-1-utf-8") == 0;
}

/* Converts data from `charset` to UTF-8 into a malloc'd buffer; a byte the
 * charset does not have becomes U+FFFD, as browsers do. */
static aloud_status html_convert(const char *data, size_t size, const char *charset,
                                 char **out, size_t *out_size, aloud_error *err)
{
    /* The labels the HTML standard maps to windows-1252. */
    if (strcasecmp(charset, "iso-8859-1") == 0 || strcasecmp(charset, "latin1") == 0 ||
        strcasecmp(charset, "us-ascii") == 0 || strcasecmp(charset, "ascii") == 0)
        charset = "WINDOWS-1252";
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0,
                               "the page declares the charset '%s', which iconv does not know",
                               charset);
    size_t cap = size * 3 + 16;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }
    char *in = (char *)(uintptr_t)data;
    size_t in_left = size;
    char *o = buf;
    size_t o_left = cap - 1;
    while (in_left > 0) {
        if (iconv(cd, &in, &in_left, &o, &o_left) != (size_t)-1)
            break;
        if ((errno == EILSEQ || errno == EINVAL) && o_left >= 3) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            o_left -= 3;
            in++;
            in_left--;
            continue;
        }
        /* E2BIG cannot happen with 3 bytes out per byte in, bar UTF-16's pairs. */
        free(buf);
        iconv_close(cd);
        return aloud_error_set(err, ALOUD_ERR_MEDIA, 0, 0, "cannot convert the page from %s",
                               charset);
    }
    iconv_close(cd);
    *o = '\0';
    *out = buf;
    *out_size = (size_t)(o - buf);
    return ALOUD_OK;
}

/* The page as UTF-8: *out is data itself, or a converted copy in *owned. */
static aloud_status html_to_utf8(const char *data, size_t size, const char **out,
                                 size_t *out_size, char **owned, aloud_error *err)
{
    char charset[48];
    *owned = NULL;
    if (utf16_bom(data, size) != UTF16_NONE) {
        aloud_status st = html_convert(data, size, "UTF-16", owned, out_size, err);
        *out = *owned;
        return st;
    }
    bool declared = html_declared_charset(data, size, charset, sizeof charset);
    if (declared && !html_is_utf8_name(charset)) {
        aloud_status st = html_convert(data, size, charset, owned, out_size, err);
        *out = *owned;
        return st;
    }
    aloud_error bad;
    if (utf8_validate(data, size, &bad) != ALOUD_OK) {
        if (declared) {
            if (err)
                *err = bad;
            return bad.status;
        }
        /* No charset said and not UTF-8: what browsers assume. */
        aloud_status st = html_convert(data, size, "WINDOWS-1252", owned, out_size, err);
        *out = *owned;
        return st;
    }
    size_t bom = utf8_bom_length(data, size);
    *out = data + bom;
    *out_size = size - bom;
    return ALOUD_OK;
}

/* ------------------------------------------------------------ nesting */

static bool html_name_in(const char *name, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && strncasecmp(list[i], name, n) == 0)
            return true;
    return false;
}

/* Elements that never nest (void) or close themselves (a new <p> ends the last). */
static const char *const html_flat[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
    "tbody", "thead", "tfoot", "colgroup", "rb", "rt", "rp", "rtc", "caption", "frame",
    "keygen", "basefont", "bgsound", "image", "isindex",
};
/* Elements whose text is not markup. */
static const char *const html_raw[] = {"script", "style", "textarea", "title", "xmp",
                                       "iframe", "noembed", "noframes", "plaintext"};

/*
 * An upper bound of the page's nesting depth from its tags alone (a
 * tokenizer's view, cheap and linear): ALOUD_ERR_LIMIT past HTML_MAX_NESTING,
 * with the line where it is passed.
 */
static aloud_status html_check_nesting(const char *s, size_t n, aloud_error *err)
{
    size_t depth = 0;
    unsigned line = 1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            line++;
            continue;
        }
        if (s[i] != '<' || i + 1 >= n)
            continue;
        if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            const char *end = NULL;
            for (size_t k = i + 4; k + 3 <= n && !end; k++)
                if (memcmp(s + k, "-->", 3) == 0)
                    end = s + k;
            for (size_t k = i; k < (end ? (size_t)(end - s) : n); k++)
                line += s[k] == '\n';
            i = end ? (size_t)(end - s) + 2 : n;
            continue;
        }
        bool closing = s[i + 1] == '/';
        size_t p = i + 1 + closing;
        size_t name = p;
        while (p < n && ((s[p] | 0x20) >= 'a' && (s[p] | 0x20) <= 'z'))
            p++;
        while (p < n && (((s[p] | 0x20) >= 'a' && (s[p] | 0x20) <= 'z') ||
                         (s[p] >= '0' && s[p] <= '9') || s[p] == '-' || s[p] == ':'))
            p++;
        if (p == name)
            continue;
        size_t len = p - name;
        /* The tag's end, and whether it closes itself (<x/>). */
        size_t q = p;
        while (q < n && s[q] != '>')
            q++;
        bool self = q < n && q > p && s[q - 1] == '/';
        if (html_name_in(s + name, len, html_flat, HTML_COUNT(html_flat)))
            continue;
        if (closing) {
            depth -= depth > 0;
            continue;
        }
        if (self)
            continue;
        if (html_name_in(s + name, len, html_raw, HTML_COUNT(html_raw))) {
            /* Skip to its end tag; the text inside is not markup. */
            size_t k = q;
            while (k + 2 + len <= n && !(s[k] == '<' && s[k + 1] == '/' &&
                                         strncasecmp(s + k + 2, s + name, len) == 0))
                line += s[k++] == '\n';
            i = k;
            continue;
        }
        if (++depth > HTML_MAX_NESTING)
            return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                                   "elements nested more than %u deep by line %u: aloud does "
                                   "not parse such a page",
                                   HTML_MAX_NESTING, line);
    }
    return ALOUD_OK;
}

/* ------------------------------------------------------------ the whole */

aloud_status html_read(doc_builder *b, const char *data, size_t size, const html_opts *opts,
                       const html_mark *marks, size_t mark_count, aloud_error *err)
{
    if (size > HTML_MAX_BYTES)
        return aloud_error_set(err, ALOUD_ERR_LIMIT, 0, 0,
                               "an HTML page of %zu bytes is more than the %zu MB aloud parses",
                               size, HTML_MAX_BYTES >> 20);
    const char *text = NULL;
    size_t text_size = 0;
    char *owned = NULL;
    aloud_status st = html_to_utf8(data, size, &text, &text_size, &owned, err);
    if (st == ALOUD_OK)
        st = html_check_nesting(text, text_size, err);
    if (st != ALOUD_OK) {
        free(owned);
        return st;
    }

    GumboOptions gopts = kGumboDefaultOptions;
    gopts.tab_stop = 1;
    gopts.max_errors = 0;  /* parse errors are not kept: memory for the tree only */
    GumboOutput *out = gumbo_parse_with_options(&gopts, text, text_size);
    if (!out) {
        free(owned);
        return aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory");
    }

    html_state s;
    memset(&s, 0, sizeof s);
    s.b = b;
    s.opts = opts;
    s.marks = marks;
    s.mark_count = mark_count;
    s.status = ALOUD_OK;
    if (mark_count && !(s.mark_used = calloc(mark_count, sizeof *s.mark_used)))
        s.status = ALOUD_ERR_NOMEM;

    const GumboNode *h1 = NULL;
    if (s.status == ALOUD_OK && opts->find_main)
        s.status = html_metadata(&s, out->root, &h1);
    if (s.status == ALOUD_OK)
        html_index(&s, out->root, SIZE_MAX, 0, false, false);
    bool found = true;
    if (s.status == ALOUD_OK && opts->find_main) {
        found = html_choose(&s);
        /* No paragraph anywhere (a short page): the whole body. */
        if (!found) {
            for (size_t i = 0; i < s.el_count; i++)
                if (s.els[i].node->v.element.tag == GUMBO_TAG_BODY)
                    s.els[i].chosen = true;
        }
        /* The page's one <h1> heads the text when it lies outside what was chosen. */
        bool h1_inside = false;
        for (size_t i = 0; h1 && i < s.el_count && !h1_inside; i++) {
            if (s.els[i].node != h1)
                continue;
            for (size_t a = i; a != SIZE_MAX && !h1_inside; a = s.els[a].parent)
                h1_inside = s.els[a].chosen;
        }
        if (h1 && !h1_inside) {
            char *t = html_text_of(h1);
            if (!t)
                s.status = ALOUD_ERR_NOMEM;
            else if (!doc_builder_text(b, t, strlen(t), h1->v.element.start_pos.line,
                                       h1->v.element.start_pos.column))
                s.status = ALOUD_ERR_NOMEM;
            free(t);
            if (s.status == ALOUD_OK)
                s.status = doc_builder_end(b, DOC_BLOCK_TITLE);
        }
    }
    if (s.status == ALOUD_OK && s.el_count > 0) {
        s.walk = 0;
        html_read_el(&s, !opts->find_main, 0);
        html_block_end(&s);
    }
    if (s.status == ALOUD_OK && (s.skipped_code || s.skipped_boxes)) {
        char note[160];
        snprintf(note, sizeof note, "left out %zu code block%s and %zu box%s of boilerplate",
                 s.skipped_code, s.skipped_code == 1 ? "" : "s", s.skipped_boxes,
                 s.skipped_boxes == 1 ? "" : "es");
        if (!doc_builder_meta(b, DOC_META_NOTE, note, strlen(note)))
            s.status = ALOUD_ERR_NOMEM;
    }
    st = s.status;
    free(s.els);
    free(s.mark_used);
    gumbo_destroy_output(&gopts, out);
    free(owned);
    if (st == ALOUD_ERR_NOMEM)
        return aloud_error_set(err, st, 0, 0, "out of memory");
    if (st != ALOUD_OK)
        return aloud_error_set(err, st, 0, 0, "cannot read the page");
    return ALOUD_OK;
}
