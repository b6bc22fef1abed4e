// SPDX-License-Identifier: MIT
/* (being written) */
#include "structure.h"
