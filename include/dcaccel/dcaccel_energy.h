/* SPDX-License-Identifier: MIT */
/*
 * The energy model's technology table, in femtojoules (hardware.rst,
 * "Energy model"): 45 nm, EIE's figures from Horowitz (ISSCC 2014), and
 * the rows this project derived from them.
 */
#ifndef DCACCEL_ENERGY_H
#define DCACCEL_ENERGY_H

/* the table */
#define DCACCEL_ENERGY_DRAM32_FJ	640000	/* a 32-bit DRAM access */
#define DCACCEL_ENERGY_SRAM32_FJ	5000	/* a 32-bit SRAM access, 8 KB */
#define DCACCEL_ENERGY_MUL32_FJ		3100	/* 32-bit integer multiply */
#define DCACCEL_ENERGY_ADD32_FJ		100	/* 32-bit integer add */
#define DCACCEL_ENERGY_FMUL32_FJ	3700	/* 32-bit float multiply */
#define DCACCEL_ENERGY_FADD32_FJ	900	/* 32-bit float add */

/* derived here */
#define DCACCEL_ENERGY_MAC16_FJ		875	/* 3.1 (16/32)^2 + 0.1 pJ */
#define DCACCEL_ENERGY_SHIFT_ADD_FJ	100	/* a +-2^k weight: the add */
#define DCACCEL_ENERGY_ADDSUB_FJ	100	/* a +-a weight: add or subtract */
#define DCACCEL_ENERGY_POPCOUNT64_FJ	375	/* 120 adder bit-cells */

#endif /* DCACCEL_ENERGY_H */
