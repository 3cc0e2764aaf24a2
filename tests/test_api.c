/* placeholder: test_api.c is being written; fails until then */
int main(void) { return 1; }
