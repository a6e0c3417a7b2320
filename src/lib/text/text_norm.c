/* text_norm.c - character normalisation: what each character becomes. */
#include "text_norm.h"

text_class text_classify(uint32_t cp)
{
    if (cp < 0x20u) {
        if (cp == '\t' || cp == 0x0Bu || cp == 0x0Cu)
            return TEXT_SPACE;
        if (cp == '\n' || cp == '\r')
            return TEXT_LINE;
        return TEXT_DROP;
    }
    if (cp < 0x7Fu)
        return cp == ' ' ? TEXT_SPACE : TEXT_KEEP;
    if (cp <= 0x9Fu)
        return cp == 0x85u ? TEXT_LINE : TEXT_DROP;
    switch (cp) {
    case 0xA0u: case 0x1680u: case 0x202Fu: case 0x205Fu: case 0x3000u:
        return TEXT_SPACE;
    case 0xADu: case 0x180Eu: case 0x200Bu: case 0x200Cu: case 0x200Du: case 0x2060u:
    case 0xFEFFu:
        return TEXT_DROP;
    case 0x2028u:
        return TEXT_LINE;
    case 0x2029u:
        return TEXT_PARA;
    default:
        break;
    }
    if (cp >= 0x2000u && cp <= 0x200Au)
        return TEXT_SPACE;
    /* Invisible format characters: they change how text is drawn, not what
     * it says, and in a title or a caption they only get in the way. */
    if (cp == 0x200Eu || cp == 0x200Fu || (cp >= 0x202Au && cp <= 0x202Eu)
        || (cp >= 0x2066u && cp <= 0x2069u)        /* bidi marks, embeddings, isolates */
        || (cp >= 0xFE00u && cp <= 0xFE0Fu)        /* variation selectors, U+FE0F emoji style */
        || (cp >= 0xE0000u && cp <= 0xE007Fu)      /* tag characters (flag sequences) */
        || (cp >= 0xE0100u && cp <= 0xE01EFu))     /* variation selectors supplement */
        return TEXT_DROP;
    return TEXT_KEEP;
}

void text_reader_init(text_reader *reader, const char *data, size_t size)
{
    reader->data = data;
    reader->size = size;
    reader->pos = utf8_bom_length(data, size);
    reader->line = 1;
    reader->column = 1;
}

text_item_kind text_reader_next(text_reader *reader, text_item *item)
{
    for (;;) {
        uint32_t cp;
        size_t len;

        item->line = reader->line;
        item->column = reader->column;
        item->bytes = reader->data + reader->pos;
        item->cp = 0;
        if (reader->pos >= reader->size) {
            item->length = 0;
            return item->kind = TEXT_ITEM_END;
        }
        len = utf8_decode(reader->data + reader->pos, reader->size - reader->pos, &cp);
        reader->pos += len;
        item->length = len;
        item->cp = cp;
        if (cp == '\n' || cp == '\r') {
            /* Only LF, CRLF and CR move the line count, as in utf8_validate. */
            if (cp == '\r' && reader->pos < reader->size && reader->data[reader->pos] == '\n') {
                reader->pos++;
                item->length++;
            }
            reader->line++;
            reader->column = 1;
            return item->kind = TEXT_ITEM_LINE;
        }
        reader->column++;
        switch (text_classify(cp)) {
        case TEXT_KEEP: return item->kind = TEXT_ITEM_CHAR;
        case TEXT_SPACE: return item->kind = TEXT_ITEM_SPACE;
        case TEXT_LINE: return item->kind = TEXT_ITEM_LINE;
        case TEXT_PARA: return item->kind = TEXT_ITEM_PARA;
        case TEXT_DROP: break;
        }
    }
}
