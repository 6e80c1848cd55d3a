/* SPDX-License-Identifier: MIT */
/* A shared object that is not an xbpf extension: it exports no descriptor. */
int plain_module_function(void);

int plain_module_function(void)
{
	return 1;
}
