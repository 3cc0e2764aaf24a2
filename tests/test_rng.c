/* placeholder: test_rng.c is being written; fails until then */
int main(void) { return 1; }
