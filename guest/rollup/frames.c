/* OP's frames and channels (docs/ROLLUP.md §4.2; spec §6.1-§6.5), for batch_format "frames".
 *
 * Batcher calldata is 0x00 ‖ frame ‖ frame ‖ ...; a transaction whose frames do not all
 * parse gives none. Frames go to Holocene's channel assembler: one staging channel, frames
 * strictly in order, a new frame 0 drops the staging channel, a channel open for more than
 * channel_timeout L1 blocks or holding more than MAX_RLP_BYTES_PER_CHANNEL bytes is dropped.
 * A closed channel is a zlib stream (inflate.c); its inflated bytes are a stream of RLP
 * strings 0x00 ‖ rlp(singular batch), read up to the first one that does not decode. The
 * batches of a channel are included in the L1 block of its last frame.
 *
 * Prints `rollup: frame ...` for dropped frames and `rollup: channel ...` when a channel
 * opens, is dropped or closes. */
#include "inflate.h"
#include "rlp.h"
#include "rollup.h"

#define FRAME_HEADER_LEN 22 /* channel id 16, frame number 2, data length 4 (is_last follows) */

/* One parsed frame: views into the calldata. */
typedef struct {
	const uint8_t *id;
	uint32_t number;
	const uint8_t *data;
	size_t len;
	bool is_last;
} frame_t;

static void print_id(const uint8_t *id)
{
	rt_printf("0x");
	for (int i = 0; i < 16; i++)
		rt_printf("%02x", id[i]);
}

/* The frame at p (at most `left` bytes): its size, or 0 when it does not parse. */
static size_t parse_frame(const uint8_t *p, size_t left, frame_t *f)
{
	if (left < FRAME_HEADER_LEN)
		return 0;
	uint32_t len = ((uint32_t)p[18] << 24) | ((uint32_t)p[19] << 16) | ((uint32_t)p[20] << 8) |
		       (uint32_t)p[21];
	if (len > FRAME_MAX_DATA_LEN)
		return 0;
	if (left - FRAME_HEADER_LEN < (size_t)len + 1)
		return 0;
	uint8_t last = p[FRAME_HEADER_LEN + len];
	if (last > 1)
		return 0;
	f->id = p;
	f->number = ((uint32_t)p[16] << 8) | (uint32_t)p[17];
	f->data = p + FRAME_HEADER_LEN;
	f->len = len;
	f->is_last = last == 1;
	return FRAME_HEADER_LEN + (size_t)len + 1;
}

static void append_batch(const batch_t *b, batch_t **batches, size_t *count, size_t *cap)
{
	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		batch_t *grown = rt_malloc(*cap * sizeof(batch_t));
		if (*count)
			memcpy(grown, *batches, *count * sizeof(batch_t));
		rt_free(*batches);
		*batches = grown;
	}
	(*batches)[(*count)++] = *b;
}

/* rlp([parent_hash, epoch_number, epoch_hash, timestamp, [tx, ...]]) exactly (ROLLUP.md §4);
 * the transactions are copied. */
static bool decode_singular_batch(const uint8_t *p, size_t n, uint64_t inclusion, batch_t *b)
{
	rlp_item list, f[5];
	if (!rlp_decode(p, n, &list) || !list.is_list || rlp_list(&list, f, 5) != 5)
		return false;
	memset(b, 0, sizeof(*b));
	b->inclusion_block = inclusion;
	if (!rlp_get_bytes_fixed(&f[0], b->parent_hash.b, 32) || !rlp_get_u64(&f[1], &b->epoch_number) ||
	    !rlp_get_bytes_fixed(&f[2], b->epoch_hash.b, 32) || !rlp_get_u64(&f[3], &b->timestamp) ||
	    !f[4].is_list)
		return false;
	size_t txs = 0;
	const uint8_t *cur = f[4].payload;
	size_t left = f[4].len;
	rlp_item t;
	while (left > 0) {
		if (!rlp_next(&cur, &left, &t) || t.is_list)
			return false;
		txs++;
	}
	b->txs = txs ? rt_malloc(txs * sizeof(bytes_t)) : NULL;
	cur = f[4].payload;
	left = f[4].len;
	for (size_t i = 0; i < txs; i++) {
		rlp_next(&cur, &left, &t);
		b->txs[i] = bytes_dup(t.payload, t.len);
	}
	b->tx_count = txs;
	return true;
}

size_t batch_stream_read(const uint8_t *p, size_t n, uint64_t inclusion, batch_t **batches,
			 size_t *count, size_t *cap, bool *complete)
{
	size_t found = 0;
	const uint8_t *cur = p;
	size_t left = n;
	rlp_item s;
	while (left > 0) {
		/* a string (not cut off), version 0, then exactly one singular batch */
		if (!rlp_next(&cur, &left, &s) || s.is_list || s.len < 1 || s.payload[0] != 0x00)
			break;
		batch_t b;
		if (!decode_singular_batch(s.payload + 1, s.len - 1, inclusion, &b))
			break;
		append_batch(&b, batches, count, cap);
		found++;
	}
	*complete = left == 0;
	return found;
}

size_t channel_decode(const uint8_t *data, size_t n, uint64_t inclusion, batch_t **batches,
		      size_t *count, size_t *cap, const char **inflate_what,
		      const char **stream_what)
{
	*stream_what = "none";
	/* spec §6.4: only a zlib header (CM 8, or the 15 OP also lets through) means zlib;
	 * brotli (0x01) is Fjord's and anything else is no channel format */
	if (n == 0 || ((data[0] & 0x0F) != 8 && (data[0] & 0x0F) != 15)) {
		*inflate_what = "not-zlib";
		return 0;
	}
	uint8_t *out = NULL;
	size_t out_len = 0;
	inflate_status st = zlib_inflate(data, n, MAX_RLP_BYTES_PER_CHANNEL, &out, &out_len);
	*inflate_what = st == INFLATE_OK ? "ok" : st == INFLATE_LIMIT ? "limit" : "error";
	bool complete;
	size_t found = batch_stream_read(out, out_len, inclusion, batches, count, cap, &complete);
	*stream_what = complete ? "end" : "stopped";
	rt_free(out);
	return found;
}

static void channel_reset(channel_state_t *ch)
{
	ch->staging = false;
	ch->data.len = 0;
	if (ch->data.cap > MAX_RLP_BYTES_PER_CHANNEL / 8)
		buf_free(&ch->data); /* give a big buffer back */
}

static void channel_drop(channel_state_t *ch, const char *reason)
{
	rt_printf("rollup: channel ");
	print_id(ch->id);
	rt_printf(" dropped reason=%s frames=%llu bytes=%llu\n", reason,
		  (unsigned long long)ch->frame_count, (unsigned long long)ch->data.len);
	channel_reset(ch);
}

void channel_begin_block(channel_state_t *ch, uint64_t l1_number)
{
	if (ch->staging && l1_number > ch->open_block + ROLLUP_CONFIG.channel_timeout)
		channel_drop(ch, "timeout");
}

static void frame_dropped(const frame_t *f, const char *reason)
{
	rt_printf("rollup: frame dropped channel=");
	print_id(f->id);
	rt_printf(" number=%llu reason=%s\n", (unsigned long long)f->number, reason);
}

/* Holocene's channel assembler (ROLLUP.md §4.2 steps 1-4) for one frame of L1 block `l1`. */
static void channel_add_frame(channel_state_t *ch, uint64_t l1, const frame_t *f,
			      batch_t **batches, size_t *count, size_t *cap)
{
	if (f->number == 0) {
		if (ch->staging)
			channel_drop(ch, "new-first-frame");
		ch->staging = true;
		memcpy(ch->id, f->id, 16);
		ch->open_block = l1;
		ch->frame_count = 0;
		ch->data.len = 0;
		rt_printf("rollup: channel ");
		print_id(ch->id);
		rt_printf(" opened l1=%llu\n", (unsigned long long)l1);
	} else if (!ch->staging) {
		frame_dropped(f, "no-staging-channel");
		return;
	} else if (memcmp(ch->id, f->id, 16) != 0) {
		frame_dropped(f, "other-channel");
		return;
	} else if (f->number != ch->last_frame + 1) {
		frame_dropped(f, "not-the-next-frame");
		return;
	}
	ch->last_frame = f->number;
	ch->frame_count++;
	if (f->len > MAX_RLP_BYTES_PER_CHANNEL - ch->data.len) {
		ch->data.len += f->len; /* for the message; the bytes are not kept */
		channel_drop(ch, "too-large");
		return;
	}
	buf_append(&ch->data, f->data, f->len);
	if (!f->is_last)
		return;
	const char *inflate_what, *stream_what;
	size_t found = channel_decode(ch->data.data, ch->data.len, l1, batches, count, cap,
				      &inflate_what, &stream_what);
	rt_printf("rollup: channel ");
	print_id(ch->id);
	rt_printf(" closed l1=%llu frames=%llu bytes=%llu inflate=%s stream=%s batches=%llu\n",
		  (unsigned long long)l1, (unsigned long long)ch->frame_count,
		  (unsigned long long)ch->data.len, inflate_what, stream_what,
		  (unsigned long long)found);
	channel_reset(ch);
}

bool frames_parse(const uint8_t *p, size_t n, size_t *frames, const char **why)
{
	*frames = 0;
	if (n < 1 || p[0] != 0x00) {
		*why = "version";
		return false;
	}
	frame_t f;
	size_t total = 0;
	for (size_t off = 1; off < n; total++) {
		size_t used = parse_frame(p + off, n - off, &f);
		if (used == 0) {
			*why = "bad-frame";
			return false;
		}
		off += used;
	}
	if (total == 0) {
		*why = "no-frames";
		return false;
	}
	*frames = total;
	return true;
}

void frames_feed(channel_state_t *ch, uint64_t l1_number, const uint8_t *p, size_t n,
		 batch_t **batches, size_t *count, size_t *cap)
{
	frame_t f;
	for (size_t off = 1; off < n;) {
		size_t used = parse_frame(p + off, n - off, &f);
		if (used == 0)
			return; /* frames_parse refused it already */
		off += used;
		channel_add_frame(ch, l1_number, &f, batches, count, cap);
	}
}

void frames_read_tx(channel_state_t *ch, const l1_header_t *h, size_t index,
		    const bytes_t *calldata, batch_t **batches, size_t *count, size_t *cap)
{
	size_t frames;
	const char *why;
	if (!frames_parse(calldata->data, calldata->len, &frames, &why)) {
		rt_printf("rollup: l1 %llu tx %llu batcher frames undecodable-ignored reason=%s\n",
			  (unsigned long long)h->number, (unsigned long long)index, why);
		return;
	}
	rt_printf("rollup: l1 %llu tx %llu batcher frames ok frames=%llu\n",
		  (unsigned long long)h->number, (unsigned long long)index,
		  (unsigned long long)frames);
	frames_feed(ch, h->number, calldata->data, calldata->len, batches, count, cap);
}

const frames_reader_t FRAMES_READER = {channel_begin_block, frames_read_tx};
