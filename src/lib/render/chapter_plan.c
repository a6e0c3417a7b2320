/*
 * chapter_plan.c - grouping paragraphs into chapters (chapter_plan.h).
 *
 * Weights are estimated milliseconds: espeak-ng speaks `rate` words a
 * minute, about six bytes a word with its space, so a byte lasts
 * 10000 / rate ms (a digit counts as the letters of its spoken word); each
 * sentence adds its pause. Splitting n weighted units
 * into k runs puts boundary j where the running total is nearest j/k of
 * the whole, keeping every run non-empty. Headings are honoured first: the
 * k chapters are shared out between the sections (every section at least
 * one, then one more at a time to the section whose chapters are longest,
 * as in the D'Hondt method), and each section is split on its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chapter_plan.h"

/* Splits units [0, n) of weights w into k runs (1 <= k <= n); writes the
 * k - 1 inner boundaries (the first unit of runs 2..k) to cut. */
static void plan_split(const uint64_t *w, size_t n, size_t k, size_t *cut)
{
    uint64_t total = 0, before = 0;
    size_t i = 0;

    for (size_t u = 0; u < n; u++)
        total += w[u];
    for (size_t j = 1; j < k; j++) {
        /* The boundary i (the units before it weigh `before`) nearest j/k of the total,
         * at least one unit after the last and leaving one for each run to come. */
        size_t lo = j == 1 ? 1 : cut[j - 2] + 1, hi = n - (k - j);
        while (i < lo)
            before += w[i++];
        while (i < hi && (before + w[i]) * k <= total * j)
            before += w[i++];
        /* Units [0, i) are at most the target and one more passes it: take the nearer. */
        if (i < hi && before * k <= total * j
            && (before + w[i]) * k - total * j < total * j - before * k)
            before += w[i++];
        cut[j - 1] = i;
    }
}

/* Bytes a digit weighs: espeak-ng reads numbers as words ("123" is "one hundred and
 * twenty three", about eight letters a digit; "7" is "seven"). */
#define PLAN_DIGIT_BYTES 6u

/* A paragraph's estimated duration in ms, at least 1. */
static uint64_t plan_weight(const aloud_doc *doc, const aloud_paragraph *p,
                            const aloud_voice *voice)
{
    uint64_t rate = voice->rate > 0 ? (uint64_t)voice->rate : 175u, bytes = 0;

    for (size_t s = 0; s < p->sentence_count; s++) {
        const aloud_sentence *sen = aloud_doc_sentence(doc, p->first_sentence + s);
        for (size_t i = 0; sen && i < sen->length; i++)
            bytes += sen->text[i] >= '0' && sen->text[i] <= '9' ? PLAN_DIGIT_BYTES : 1u;
    }
    if (bytes > UINT32_MAX)
        bytes = UINT32_MAX;
    return 1 + bytes * 10000u / rate + (uint64_t)voice->sentence_pause_ms * (p->sentence_count - 1)
           + voice->paragraph_pause_ms;
}

/* Sections: the index of each one's first unit (0, then every unit that
 * begins with a heading); unit[u] is unit u's first paragraph. */
static size_t plan_sections(const aloud_doc *doc, const size_t *unit, size_t units,
                            size_t *starts)
{
    size_t count = 0;

    for (size_t u = 0; u < units; u++) {
        if (u == 0 || aloud_doc_paragraph(doc, unit[u])->kind == ALOUD_PARA_HEADING)
            starts[count++] = u;
    }
    return count;
}

/* Max-heap of sections by the weight of one of their chapters (w / k). */
typedef struct plan_heap {
    size_t *items;
    size_t count;
    const uint64_t *w;
    const size_t *k;
} plan_heap;

static int plan_before(const plan_heap *h, size_t a, size_t b)
{
    /* w_a / k_a > w_b / k_b, without division; ties to the earlier section. */
    uint64_t l = h->w[a] * h->k[b], r = h->w[b] * h->k[a];
    return l > r || (l == r && a < b);
}

static void plan_sift_down(plan_heap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < h->count && plan_before(h, h->items[l], h->items[top]))
            top = l;
        if (r < h->count && plan_before(h, h->items[r], h->items[top]))
            top = r;
        if (top == i)
            return;
        size_t t = h->items[i];
        h->items[i] = h->items[top];
        h->items[top] = t;
        i = top;
    }
}

/* Fewer sections than chapters: each section gets k[s] chapters (at least one), and is
 * split on its own. */
static void plan_share(const uint64_t *weight, size_t paragraphs, const size_t *starts,
                       size_t sections, const uint64_t *sw, size_t *k, size_t *items,
                       size_t max, size_t *cut, size_t *first)
{
    /* Share the chapters out: one each, then to the longest chapters first. */
    plan_heap h = {items, 0, sw, k};
    for (size_t s = 0; s < sections; s++) {
        size_t end = s + 1 < sections ? starts[s + 1] : paragraphs;
        k[s] = 1;
        if (end - starts[s] > 1)
            items[h.count++] = s;
    }
    for (size_t i = h.count; i-- > 0;)
        plan_sift_down(&h, i);
    for (size_t left = max - sections; left > 0 && h.count > 0; left--) {
        size_t s = h.items[0], end = s + 1 < sections ? starts[s + 1] : paragraphs;
        if (++k[s] == end - starts[s])
            h.items[0] = h.items[--h.count]; /* as many chapters as paragraphs: done */
        plan_sift_down(&h, 0);
    }
    size_t j = 0;
    for (size_t s = 0; s < sections; s++) {
        size_t end = s + 1 < sections ? starts[s + 1] : paragraphs;
        first[j++] = starts[s];
        plan_split(weight + starts[s], end - starts[s], k[s], cut);
        for (size_t c = 0; c + 1 < k[s]; c++)
            first[j++] = starts[s] + cut[c];
    }
}

static aloud_status plan_grouped(const aloud_doc *doc, const size_t *unit, const uint64_t *weight,
                                 size_t paragraphs, size_t max, size_t *first, aloud_error *err)
{
    size_t *starts = malloc(paragraphs * sizeof *starts);
    size_t sections = starts ? plan_sections(doc, unit, paragraphs, starts) : 0;
    uint64_t *sw = calloc(sections ? sections : 1, sizeof *sw);
    size_t *k = calloc(sections ? sections : 1, sizeof *k);
    size_t *items = calloc(sections ? sections : 1, sizeof *items);
    size_t *cut = calloc(max, sizeof *cut);
    aloud_status st = ALOUD_OK;

    if (!starts || !sw || !k || !items || !cut) {
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the chapters");
        goto done;
    }
    for (size_t s = 0; s < sections; s++) {
        size_t end = s + 1 < sections ? starts[s + 1] : paragraphs;
        for (size_t p = starts[s]; p < end; p++)
            sw[s] += weight[p];
    }
    first[0] = 0;
    if (sections >= max) {
        /* Whole sections grouped: every chapter starts at a heading. */
        plan_split(sw, sections, max, cut);
        for (size_t j = 1; j < max; j++)
            first[j] = starts[cut[j - 1]];
        goto done;
    }
    plan_share(weight, paragraphs, starts, sections, sw, k, items, max, cut, first);
done:
    free(starts);
    free(sw);
    free(k);
    free(items);
    free(cut);
    return st;
}

aloud_status chapter_plan_make(const aloud_doc *doc, const aloud_voice *voice, size_t max,
                               chapter_plan *out, aloud_error *err)
{
    size_t paragraphs = aloud_doc_paragraph_count(doc);
    aloud_status st = ALOUD_OK;

    if (!out)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "no place for the chapter plan");
    memset(out, 0, sizeof *out);
    if (!doc || !voice || max == 0)
        return aloud_error_set(err, ALOUD_ERR_ARG, 0, 0, "bad chapter plan arguments");
    /* The units grouped: each paragraph that may start a chapter (all of
     * them but in a book whose chapters come from its table of contents),
     * with the paragraphs up to the next. */
    size_t *unit = malloc((paragraphs ? paragraphs : 1) * sizeof *unit);
    uint64_t *weight = calloc(paragraphs ? paragraphs : 1, sizeof *weight);
    size_t units = 0;
    if (!unit || !weight) {
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the chapters");
        goto done;
    }
    for (size_t p = 0; p < paragraphs; p++) {
        const aloud_paragraph *para = aloud_doc_paragraph(doc, p);
        if (p == 0 || para->starts_chapter)
            unit[units++] = p;
        weight[units - 1] += plan_weight(doc, para, voice);
    }
    out->count = units < max ? units : max;
    out->first = calloc(out->count ? out->count : 1, sizeof *out->first);
    if (!out->first) {
        st = aloud_error_set(err, ALOUD_ERR_NOMEM, 0, 0, "out of memory for the chapters");
        goto done;
    }
    if (out->count == units) {
        for (size_t u = 0; u < units; u++)
            out->first[u] = u;
    } else {
        st = plan_grouped(doc, unit, weight, units, out->count, out->first, err);
    }
    /* From units back to paragraphs. */
    for (size_t c = 0; st == ALOUD_OK && c < out->count; c++)
        out->first[c] = unit[out->first[c]];
done:
    free(unit);
    free(weight);
    if (st != ALOUD_OK)
        chapter_plan_free(out);
    return st;
}

void chapter_plan_free(chapter_plan *plan)
{
    if (!plan)
        return;
    free(plan->first);
    memset(plan, 0, sizeof *plan);
}
