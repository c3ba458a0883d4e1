/* SPDX-License-Identifier: MIT */
#include "linux_backend.h"
int main(void)
{
	return 77;
}
