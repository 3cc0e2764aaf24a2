/* placeholder: test_cox.c is being written; fails until then */
int main(void) { return 1; }
