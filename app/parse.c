/* SPDX-License-Identifier: BSD-3-Clause */
typedef int c2w_placeholder_t;
