/* Needs libchainb: every call goes through to it. */
int chain_b_scale(int x);
const char *chain_b_name(void);

int chain_a_compute(int x) { return chain_b_scale(x) + 1; }

const char *chain_a_next(void) { return chain_b_name(); }
