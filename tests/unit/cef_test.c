/* SPDX-License-Identifier: BSD-3-Clause */
#include "check.h"
int main(void);
int main(void) { return check_done(); }
