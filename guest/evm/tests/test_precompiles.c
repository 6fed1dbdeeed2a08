/* Unit-test main for the precompiles: reads "address gas inputhex" lines on stdin (address a
 * hex byte such as 05, gas decimal, input hex or "-" for empty) and prints
 * "status gasleft outputhex" per line: status is the evm_error code (0 = success), gasleft
 * is 0 after an exceptional halt (the caller consumes all gas, as the spec's
 * process_message), output is hex or "-". Each call runs on a minimal evm_t.
 *
 * The oracle-backed precompiles (0x01, 0x08, 0x0a) need a host on fds 3-6. Inside a VM, where
 * stdin is always empty, the lines come from local key 1 instead (for step counts). */
#include "preimage.h"
#include "rt.h"
#include "vm/vm.h"

static uint8_t *read_all_stdin(size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf = rt_malloc(cap + 1);
	for (;;) {
		if (n == cap) {
			uint8_t *bigger = rt_malloc(2 * cap + 1);
			memcpy(bigger, buf, n);
			rt_free(buf);
			buf = bigger;
			cap *= 2;
		}
		ssize_t got = rt_read(FD_STDIN, buf + n, cap - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Next space-separated field of a line. */
static char *next_field(char **cursor)
{
	char *p = *cursor;
	while (*p == ' ')
		p++;
	char *start = p;
	while (*p && *p != ' ')
		p++;
	if (*p)
		*p++ = 0;
	*cursor = p;
	return start;
}

static void run_line(char *line)
{
	char *cursor = line;
	char *address_text = next_field(&cursor);
	char *gas_text = next_field(&cursor);
	char *input_text = next_field(&cursor);
	if (address_text[0] == '0' && address_text[1] == 'x')
		address_text += 2;
	address_t address = {{0}};
	for (char *p = address_text; *p; p++)
		address.b[19] = (uint8_t)(address.b[19] << 4 | hex_value(*p));
	uint64_t gas = 0;
	for (char *p = gas_text; *p >= '0' && *p <= '9'; p++)
		gas = gas * 10 + (uint64_t)(*p - '0');
	if (input_text[0] == '-')
		input_text++;
	size_t hex_len = strlen(input_text);
	bytes_t input = {rt_malloc(hex_len / 2 + 1), hex_len / 2};
	for (size_t i = 0; i < input.len; i++)
		input.data[i] =
			(uint8_t)(hex_value(input_text[2 * i]) << 4 | hex_value(input_text[2 * i + 1]));

	message_t message;
	memset(&message, 0, sizeof message);
	message.gas = gas;
	message.data = input;
	message.has_target = true;
	message.target = address;
	message.current_target = address;
	message.code_address = address;
	message.has_code_address = true;
	evm_t evm;
	memset(&evm, 0, sizeof evm);
	evm.message = &message;
	evm.gas_left = gas;
	if (is_precompile(&address))
		run_precompile(&evm, &address);
	else
		evm.error = ERR_INVALID_OPCODE; /* not a precompile: the test asked for nonsense */
	uint64_t gas_left = evm_error_is_halt(evm.error) ? 0 : evm.gas_left;
	char *out = rt_malloc(2 * evm.output.len + 2);
	if (evm.output.len && evm.error == EVM_OK)
		hex_encode(out, evm.output.data, evm.output.len);
	else {
		out[0] = '-';
		out[1] = 0;
	}
	rt_printf("%d %llu %s\n", (int)evm.error, (unsigned long long)gas_left, out);
	rt_free(out);
	rt_free(evm.output.data);
	rt_free(input.data);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	size_t len;
	char *text = (char *)read_all_stdin(&len);
	if (len == 0) {
		uint8_t key[32];
		uint64_t got = 0;
		preimage_local_key(key, 1);
		uint8_t *lines = preimage_get(key, &got);
		if (lines == NULL)
			return 0;
		text = rt_malloc(got + 1);
		memcpy(text, lines, got);
		text[got] = 0;
	}
	char *line = text;
	while (*line) {
		char *end = line;
		while (*end && *end != '\n')
			end++;
		bool last = *end == 0;
		*end = 0;
		if (end > line && end[-1] == '\r')
			end[-1] = 0;
		if (*line)
			run_line(line);
		if (last)
			break;
		line = end + 1;
	}
	return 0;
}
