/* The end of the chain: nothing but libc. */
int chain_b_scale(int x) { return 7 * x; }

const char *chain_b_name(void) { return "chain-b"; }
