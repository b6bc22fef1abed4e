// SPDX-License-Identifier: MIT
/*
 * dcc: the Deep Compression toolchain. Each stage is a subcommand that
 * reads and writes an fp32 model as .safetensors; `compress` runs them all
 * and writes the .dcm the accelerator loads.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "compress.h"
#include "../common/cliopt.h"
#include "../common/version.h"
#include "fixedpoint.h"
#include "model_io.h"
#include "plot.h"
#include "quality.h"
#include "report.h"
#include "structure.h"
#include "dcc_opts.h"

#define DEFAULT_DATA "/usr/share/datasets/fashion-mnist"
/*
 * LeNet-5's defaults (per weight layer: conv1, conv2, fc1, fc2), chosen
 * on Fashion-MNIST near Deep Compression's densities (66%, 12%, 8%, 19%).
 * Its bits (8 for conv, 5 for fc) held fc1 at 7% for 39x, and the drop
 * at 0.6-0.8 pp from a 91.2-91.3% dense model; fc1 at 4 bits (16 shared
 * weights, as LeNet-300-100's fc1) and conv2 at 6 pay for fc1 at 8%,
 * with a third retraining epoch per step: README.md has the runs.
 */
#define LENET5_QUALITY	"0.4,1.05,1.14,0.95"
#define LENET5_BITS	"8,6,4,5"
static const struct {
	int opt;
	const char *value;
} lenet5_defaults[] = {
	{ 'e', "10" }, { 'q', LENET5_QUALITY }, { 'I', "3" }, { 'R', "3" },
	{ 'B', LENET5_BITS }, { 'F', "2" },
};


double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: dcc COMMAND [options]\n"
"       dcc --help | --version\n"
"commands:\n"
"  train     -o model.safetensors        train the dense baseline\n"
"  import    -o model.safetensors (--safetensors F | W1.npy b1.npy ...)\n"
"  eval      -i model.safetensors        fp32 test accuracy\n"
"  prune     -i in -o out                prune by magnitude, retrain with the mask held\n"
"  quantize  -i in -o out                k-means weight sharing, fine-tune centroids\n"
"  encode    -i in -o model.dcm          fixed point, EIE streams, engine accuracy, .dcm\n"
"  info      model.dcm                   check a .dcm: its table, engine accuracy, cycles\n"
"  shrink    -i in -o out --structure M  remove whole channels, fine-tune\n"
"  lowbit    -i in -o out --lowbit M     low-bit weights trained from the model\n"
"  compress  -o model.dcm                all of the above from scratch (--net: which)\n"
"  sweep     -o DIR [-i dense]           methods x levels x bits, each measured on the\n"
"                                        device's code: DIR/sweep.csv, plots, the best\n"
"options [default]:\n"
"  -i FILE               input model (.safetensors)\n"
"  -o FILE               output file (.safetensors, or .dcm for encode and compress)\n"
"  --data DIR            Fashion-MNIST IDX files [" DEFAULT_DATA "]\n"
"  --layers N,N,...      layer sizes of an MLP, inputs first: 2 to %u whole\n"
"                        numbers from 1 to 1048576 [784,300,100,10]\n"
"  --net SPEC            the network instead: lenet5 (conv 20x5x5, max-pool,\n"
"                        conv 50x5x5, max-pool, fc 500, fc 10), lenet300, vgg6\n"
"                        (six 3x3 convs of 16, 16, 32, 32, 64, 64 filters,\n"
"                        max-pool after each pair, fc 128, fc 10), or\n"
"                        layers after the input shape, comma-separated:\n"
"                        in=CxHxW,convKxRxS[/sN][/pN],relu,maxpoolR[/sN],\n"
"                        avgpoolR[/sN],flatten,bn,fcN (the last fc gives the\n"
"                        classes); a model file dcc wrote names its own\n"
"  --seed N              random seed, 0 to 18446744073709551615 [1]\n"
"  --epochs N            training epochs, 0 to 1000 [15; lenet5 10]\n"
"  --batch N             minibatch size, 1 to 65536 [128]\n"
"  --lr X                learning rate, above 0 and at most 10 [0.05]\n"
"  --lr-decay X          lr *= X after each epoch, above 0 and at most 1 [0.85]\n"
"  --momentum X          SGD momentum, 0 to 0.999 [0.9]\n"
"  --weight-decay X      L2 weight decay, 0 to 1 [5e-05]\n"
"  --adam                Adam instead of SGD with momentum\n"
"  --train-limit N       use the first N training images, 0 (all) to 4294967295 [0]\n"
"  --test-limit N        use the first N test images, 0 (all) to 4294967295 [0]\n"
"  --quality Q,Q,...     pruning threshold Q x stddev of the layer's weights, one\n"
"                        per layer (the last for the rest), each above 0 and at\n"
"                        most 10 [1.05,1.05,0.7; lenet5 %s]\n"
"  --prune-iters N       pruning steps, step i of N at i/N of the quality, 0 to\n"
"                        100 [4; lenet5 3]\n"
"  --retrain-epochs N    retraining epochs after each pruning step, 0 to 1000\n"
"                        [6; lenet5 3]\n"
"  --retrain-lr X        retraining learning rate, above 0 and at most 10 [0.03]\n"
"  --bits B,B,...        codebook index bits, one per layer (the last for the\n"
"                        rest), each 1 to 8 [4,5,5; lenet5 %s]\n"
"  --finetune-epochs N   centroid fine-tuning epochs, 0 to 1000 [3; lenet5 2]\n"
"  --centroid-lr X       centroid learning rate, above 0 and at most 10 [0.0001]\n"
"  --pes N               PEs the streams are encoded for, 1 to %u [%u]\n"
"  --zbits N             relative row index bits, 1 to 8, or 0 for 8 minus the\n"
"                        layer's codebook bits, at least 2 [0]\n"
"  --structure M         shrink, compress: remove whole filters and neurons\n"
"                        first, by l1 (L1-norm filter pruning), slim (network\n"
"                        slimming), thinet, nisp, pa, fa or ma (complexity-\n"
"                        driven: parameter-, FLOP- or memory-aware)\n"
"  --level X             fraction of a layer's channels removed, 0 to 0.95 [0.5]\n"
"  --samples N           images the data-driven methods look at, 1 to 60000\n"
"                        [1000]\n"
"  --tolerance X         l1: accuracy a layer may cost alone, in points, 0 to\n"
"                        100 [1]\n"
"  --bn-l1 X             slim: L1 penalty on batch-norm scales, 0 to 1 [0.01]\n"
"  --sparsity-epochs N   slim: epochs of training under the penalty, 1 to 1000\n"
"                        [4]\n"
"  --shrink-epochs N     fine-tuning epochs after removing channels, 0 to 1000\n"
"                        [3]; pa, fa and ma train anew for --epochs instead\n"
"  --shrink-lr X         their learning rate, above 0 and at most 10 [0.005]\n"
"  --lowbit M            lowbit, compress: weights of few values instead of\n"
"                        pruning and weight sharing: hq (ternary, hyper-\n"
"                        spherical), sbnn (sparse binary); or weights and\n"
"                        activations as bit planes: bwn (binary weights),\n"
"                        xnor (XNOR-Net), qnn (k-bit uniform), lq (LQ-Nets);\n"
"                        or smartdeal (each fc a small basis and sparse\n"
"                        powers of two)\n"
"  --keep X,X,...        lowbit: fraction of each layer's weights left non-zero\n"
"                        (the last for the rest; smartdeal: of each row of C),\n"
"                        each above 0 and at most 1 [0.065,0.07,0.2]\n"
"  --lowbit-steps N      lowbit: steps of the sparsity schedule, 1 to 100 [4]\n"
"  --lowbit-epochs N     lowbit: training epochs after each step, 0 to 1000 [3]\n"
"  --lowbit-final N      lowbit: training epochs after the last, 0 to 1000 [6;\n"
"                        15 for bwn, xnor, qnn, lq]\n"
"  --lowbit-lr X         lowbit: learning rate, above 0 and at most 10 [0.03]\n"
"  --hq-reg X            hq: weight of the cosine-distance term, 0 to 1 [0.001]\n"
"  --lowbit-wbits B,B    bwn, xnor, qnn, lq: weight planes of each weight layer\n"
"                        (the last for the rest), each 1 to 8 [the method's\n"
"                        bits, the last layer 8: bwn, xnor 1; qnn, lq 2]\n"
"  --lowbit-abits B,B    bwn, xnor, qnn, lq: planes of the activations each\n"
"                        weight layer reads, 1 to 8 [8 for the first and the\n"
"                        last, the method's for the rest: bwn 8, xnor 1 (signs),\n"
"                        qnn, lq 2]\n"
"  --sd-block N          smartdeal: inputs per block of the basis, 2 to 15; a\n"
"                        layer takes the largest block up to N that divides\n"
"                        its inputs [4]\n"
"  --sd-bits N           smartdeal: index bits of C's powers of two, 2 to 5\n"
"                        (2^(N-1) - 1 exponents, each signed) [4]\n"
"  --sweep-methods M,M   sweep: none (magnitude pruning only) and the --structure\n"
"                        methods, or all [all]\n"
"  --sweep-levels X,X    sweep: structured pruning levels, each above 0 and at\n"
"                        most 0.95, in steps of 0.01 [0.25,0.5]\n"
"  --sweep-bits B,B      sweep: weight bits of every layer, each 1 to 8\n"
"                        [2,3,4,5,6,7,8]\n"
"  --lambda X            sweep: points of accuracy one halving of the size is\n"
"                        worth, Q = log2(rate) - X x drop, 0 to 100 [1]\n"
"  --max-drop X          sweep: the best point loses at most X points of top-1,\n"
"                        0 to 100 [0.5]\n"
"  --plots DIR           compress: weight distribution plots (PNG, by gnuplot)\n"
"  --progress            training progress on stderr (the default on a terminal;\n"
"                        one line per epoch when stderr is not a terminal)\n"
"  --transpose           import: the .npy weights are [in, out], not [out, in]\n"
"  --safetensors FILE    import: the model from one .safetensors file\n"
"  -h, --help            this help\n"
"  --version             print dcc's version\n"
"exit codes: 0 success, 1 failure, 2 bad command line\n",
		NET_LAYERS_MAX / 2 + 1, LENET5_QUALITY, LENET5_BITS,
		DCACCEL_EIE_PES_MAX, DCACCEL_EIE_PES_DEFAULT);
}

static const struct option long_opts[] = {
	{ "data", 1, 0, 'd' }, { "layers", 1, 0, 'L' }, { "seed", 1, 0, 's' },
	{ "epochs", 1, 0, 'e' }, { "batch", 1, 0, 'b' }, { "lr", 1, 0, 'r' },
	{ "lr-decay", 1, 0, 'D' }, { "momentum", 1, 0, 'm' },
	{ "weight-decay", 1, 0, 'w' }, { "adam", 0, 0, 'A' },
	{ "train-limit", 1, 0, 'T' }, { "test-limit", 1, 0, 't' },
	{ "quality", 1, 0, 'q' }, { "prune-iters", 1, 0, 'I' },
	{ "retrain-epochs", 1, 0, 'R' }, { "retrain-lr", 1, 0, 'l' },
	{ "bits", 1, 0, 'B' }, { "finetune-epochs", 1, 0, 'F' },
	{ "centroid-lr", 1, 0, 'C' }, { "pes", 1, 0, 'P' }, { "zbits", 1, 0, 'z' },
	{ "plots", 1, 0, 'p' }, { "progress", 0, 0, 'g' },
	{ "transpose", 0, 0, 'x' }, { "safetensors", 1, 0, 'S' },
	{ "net", 1, 0, 'N' }, { "structure", 1, 0, 'M' }, { "level", 1, 0, 'v' },
	{ "samples", 1, 0, 'n' }, { "tolerance", 1, 0, 'O' }, { "bn-l1", 1, 0, 'Y' },
	{ "sparsity-epochs", 1, 0, 'Z' }, { "shrink-epochs", 1, 0, 'E' },
	{ "shrink-lr", 1, 0, 'H' },
	{ "sweep-methods", 1, 0, 'W' }, { "sweep-levels", 1, 0, 'J' },
	{ "sweep-bits", 1, 0, 'K' }, { "lambda", 1, 0, 'Q' },
	{ "max-drop", 1, 0, 'G' }, { "lowbit", 1, 0, 'a' }, { "keep", 1, 0, 'k' },
	{ "lowbit-steps", 1, 0, 'c' }, { "lowbit-epochs", 1, 0, 'u' },
	{ "lowbit-final", 1, 0, 'f' }, { "lowbit-lr", 1, 0, 'y' },
	{ "hq-reg", 1, 0, 'j' }, { "lowbit-wbits", 1, 0, 'U' },
	{ "lowbit-abits", 1, 0, 'X' },
	/* every letter is taken: digits for the rest */
	{ "sd-block", 1, 0, '1' }, { "sd-bits", 1, 0, '2' },
	{ "help", 0, 0, 'h' }, { "version", 0, 0, 'V' }, { 0, 0, 0, 0 } };

/* The option's name as --help spells it, for messages. */
static const char *opt_name(int c)
{
	static char buf[40];

	for (const struct option *lo = long_opts; lo->name; lo++)
		if (lo->val == c) {
			snprintf(buf, sizeof(buf), "--%s", lo->name);
			return buf;
		}
	snprintf(buf, sizeof(buf), "-%c", c);
	return buf;
}

/* --sweep-methods: "all" or names, each once. */
static int sweep_methods(struct opts *o, const char *n, const char *arg)
{
	const char *want = "all, or comma-separated methods from none, l1, slim, thinet, nisp, pa, fa, ma, each once";
	char buf[128], *save = NULL, *tok;

	if (!arg || !*arg || strlen(arg) >= sizeof(buf))
		return cliopt_fail("dcc", n, arg, "%s", want);
	o->sweep_nmethods = 0;
	if (!strcmp(arg, "all")) {
		for (int m = SP_NONE; m <= SP_MEMORY_AWARE; m++)
			o->sweep_methods[o->sweep_nmethods++] = (enum sp_method)m;
		return 0;
	}
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum sp_method m = strcmp(tok, "none") ? sp_method_parse(tok) : SP_NONE;

		if ((m == SP_NONE && strcmp(tok, "none")) || o->sweep_nmethods == 8)
			return cliopt_fail("dcc", n, arg, "%s", want);
		for (uint32_t k = 0; k < o->sweep_nmethods; k++)
			if (o->sweep_methods[k] == m)
				return cliopt_fail("dcc", n, arg, "%s", want);
		o->sweep_methods[o->sweep_nmethods++] = m;
	}
	return o->sweep_nmethods ? 0 : cliopt_fail("dcc", n, arg, "%s", want);
}

/* One option's value (arg NULL: it was given none); -1 after a message. */
static int set_opt(struct opts *o, int c, const char *arg)
{
	const char *n = opt_name(c);
	double v[NET_LAYERS_MAX + 1];
	uint32_t cnt = 0;

	switch (c) {
	case 'i': case 'o': case 'S':
		if (!arg)
			return cliopt_fail("dcc", n, NULL, "a file name");
		*(c == 'i' ? &o->in : c == 'o' ? &o->out : &o->safetensors) = arg;
		return 0;
	case 'N': {
		struct dcc_error err;
		struct net probe;

		if (!arg)
			return cliopt_fail("dcc", n, NULL, "lenet5, lenet300 or a network description (dcc --help)");
		if (net_build(&probe, arg, &err))
			return cliopt_fail("dcc", n, arg, "lenet5, lenet300 or a network description (dcc --help): %s",
					   err.msg);
		net_free(&probe);
		o->net = arg;
		return 0;
	}
	case 'd': case 'p':
		if (!arg)
			return cliopt_fail("dcc", n, NULL, "a directory");
		*(c == 'd' ? &o->data : &o->plots) = arg;
		return 0;
	case 'L':
		if (cliopt_list("dcc", n, arg, 2, NET_LAYERS_MAX / 2 + 1, true, 1,
				1u << 20, false, v, &cnt))
			return -1;
		for (uint32_t k = 0; k < cnt; k++)
			o->sizes[k] = (uint32_t)v[k];
		o->nsizes = cnt;
		return 0;
	case 's': return cliopt_u64("dcc", n, arg, 0, UINT64_MAX, &o->train.seed);
	case 'e': return cliopt_u32("dcc", n, arg, 0, 1000, &o->train.epochs);
	case 'b': return cliopt_u32("dcc", n, arg, 1, 65536, &o->train.batch);
	case 'r': return cliopt_real("dcc", n, arg, 0, 10, true, &o->train.lr);
	case 'D': return cliopt_real("dcc", n, arg, 0, 1, true, &o->train.lr_decay);
	case 'm': return cliopt_real("dcc", n, arg, 0, 0.999, false, &o->train.momentum);
	case 'w': return cliopt_real("dcc", n, arg, 0, 1, false, &o->train.weight_decay);
	case 'T': return cliopt_u32("dcc", n, arg, 0, UINT32_MAX, &o->train_limit);
	case 't': return cliopt_u32("dcc", n, arg, 0, UINT32_MAX, &o->test_limit);
	case 'q':
		return cliopt_list("dcc", n, arg, 1, NET_LAYERS_MAX / 2, false, 0, 10,
				   true, o->quality, &o->nquality);
	case 'I': return cliopt_u32("dcc", n, arg, 0, 100, &o->prune_iters);
	case 'R': return cliopt_u32("dcc", n, arg, 0, 1000, &o->retrain_epochs);
	case 'l': return cliopt_real("dcc", n, arg, 0, 10, true, &o->retrain_lr);
	case 'B':
		if (cliopt_list("dcc", n, arg, 1, NET_LAYERS_MAX / 2, true, 1,
				DCACCEL_EIE_WBITS_MAX, false, v, &cnt))
			return -1;
		for (uint32_t k = 0; k < cnt; k++)
			o->bits[k] = (unsigned int)v[k];
		o->nbits = cnt;
		return 0;
	case 'F': return cliopt_u32("dcc", n, arg, 0, 1000, &o->finetune_epochs);
	case 'C': return cliopt_real("dcc", n, arg, 0, 10, true, &o->train.centroid_lr);
	case 'P': return cliopt_u32("dcc", n, arg, 1, DCACCEL_EIE_PES_MAX, &o->pes);
	case 'z': return cliopt_u32("dcc", n, arg, 0, DCACCEL_EIE_ZBITS_MAX, &o->zbits);
	case 'M':
		if (!arg || sp_method_parse(arg) == SP_NONE)
			return cliopt_fail("dcc", n, arg, "l1, slim, thinet, nisp, pa, fa or ma");
		o->sp.method = sp_method_parse(arg);
		return 0;
	case 'v': case 'O': {
		float f = 0;

		if (cliopt_real("dcc", n, arg, 0, c == 'v' ? 0.95 : 100, false, &f))
			return -1;
		*(c == 'v' ? &o->sp.level : &o->sp.tolerance) = f;
		return 0;
	}
	case 'n': return cliopt_u32("dcc", n, arg, 1, 60000, &o->sp.samples);
	case 'Y': return cliopt_real("dcc", n, arg, 0, 1, false, &o->sp.bn_l1);
	case 'Z': return cliopt_u32("dcc", n, arg, 1, 1000, &o->sp.sparsity_epochs);
	case 'E': return cliopt_u32("dcc", n, arg, 0, 1000, &o->shrink_epochs);
	case 'H': return cliopt_real("dcc", n, arg, 0, 10, true, &o->shrink_lr);
	case 'W': return sweep_methods(o, n, arg);
	case 'J':
		if (cliopt_list("dcc", n, arg, 1, NET_LAYERS_MAX, false, 0, 0.95, true,
				o->sweep_levels, &o->sweep_nlevels))
			return -1;
		/* the models are cached under the level's two decimals */
		for (uint32_t k = 0; k < o->sweep_nlevels; k++) {
			double r = round(o->sweep_levels[k] * 100) / 100;

			if (fabs(o->sweep_levels[k] - r) > 1e-9)
				return cliopt_fail("dcc", n, arg, "levels in steps of 0.01, each once");
			for (uint32_t j = 0; j < k; j++)
				if (fabs(o->sweep_levels[j] - r) < 1e-9)
					return cliopt_fail("dcc", n, arg, "levels in steps of 0.01, each once");
			o->sweep_levels[k] = r;
		}
		return 0;
	case 'K':
		if (cliopt_list("dcc", n, arg, 1, 8, true, 1, DCACCEL_EIE_WBITS_MAX, false,
				v, &cnt))
			return -1;
		for (uint32_t k = 0; k < cnt; k++)
			o->sweep_bits[k] = (unsigned int)v[k];
		o->sweep_nbits = cnt;
		return 0;
	case 'Q': return cliopt_real("dcc", n, arg, 0, 100, false, &o->lambda);
	case 'G': return cliopt_real("dcc", n, arg, 0, 100, false, &o->max_drop);
	case 'a':
		if (!arg || lowbit_method_parse(arg) == LOWBIT_NONE)
			return cliopt_fail("dcc", n, arg, "%s", LOWBIT_NAMES);
		o->lowbit.method = lowbit_method_parse(arg);
		return 0;
	case 'k':
		return cliopt_list("dcc", n, arg, 1, NET_LAYERS_MAX / 2, false, 0, 1,
				   true, o->lowbit.keep, &o->lowbit.nkeep);
	case 'c': return cliopt_u32("dcc", n, arg, 1, 100, &o->lowbit.steps);
	case 'u': return cliopt_u32("dcc", n, arg, 0, 1000, &o->lowbit.epochs);
	case 'f': return cliopt_u32("dcc", n, arg, 0, 1000, &o->lowbit.final_epochs);
	case 'y': return cliopt_real("dcc", n, arg, 0, 10, true, &o->lowbit.lr);
	case 'j': return cliopt_real("dcc", n, arg, 0, 1, false, &o->lowbit.reg);
	case 'U':
	case 'X':
		if (cliopt_list("dcc", n, arg, 1, NET_LAYERS_MAX / 2, true, 1,
				QUANT_BITS_MAX, false, v, &cnt))
			return -1;
		for (uint32_t k = 0; k < cnt; k++)
			(c == 'U' ? o->lowbit.wbits : o->lowbit.abits)[k] = (uint32_t)v[k];
		*(c == 'U' ? &o->lowbit.nwbits : &o->lowbit.nabits) = cnt;
		return 0;
	case '1':
		return cliopt_u32("dcc", n, arg, LOWBIT_SD_BLOCK_MIN, LOWBIT_SD_BLOCK_MAX,
				  &o->lowbit.sd_block);
	case '2':
		return cliopt_u32("dcc", n, arg, LOWBIT_SD_BITS_MIN, LOWBIT_SD_BITS_MAX,
				  &o->lowbit.sd_bits);
	case 'A': o->train.adam = true; return 0;
	case 'g': o->train.progress = true; return 0;
	case 'x': o->transpose = true; return 0;
	}
	return -1;
}

/* 0, or 1 when --help or --version was answered, or -1 after a message. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	o->data = DEFAULT_DATA;
	train_opts_default(&o->train);
	o->train.progress = o->train.progress_tty = isatty(2);
	o->prune_iters = 4;
	o->retrain_epochs = 6;
	o->retrain_lr = 0.03f;
	o->finetune_epochs = 3;
	o->pes = DCACCEL_EIE_PES_DEFAULT;
	sp_opts_default(&o->sp);
	o->shrink_epochs = 3;
	lowbit_opts_default(&o->lowbit);
	o->shrink_lr = 0.005f;	/* near the end of the dense schedule: README has the runs */
	sweep_methods(o, "--sweep-methods", "all");
	o->sweep_nlevels = 2;
	o->sweep_levels[0] = 0.25;
	o->sweep_levels[1] = 0.5;
	o->sweep_nbits = 7;
	for (unsigned int b = 2; b <= 8; b++)
		o->sweep_bits[b - 2] = b;
	o->lambda = (float)QUALITY_LAMBDA_DEFAULT;
	o->max_drop = (float)QUALITY_MAX_DROP_DEFAULT;
	o->nsizes = 4;
	memcpy(o->sizes, (uint32_t[]){ 784, 300, 100, 10 }, 4 * sizeof(uint32_t));
	o->nquality = 3;
	memcpy(o->quality, (double[]){ 1.05, 1.05, 0.7 }, 3 * sizeof(double));
	o->nbits = 3;
	memcpy(o->bits, (unsigned int[]){ 4, 5, 5 }, 3 * sizeof(unsigned int));
	opterr = 0;	/* the messages below name the option, value and range */
	while ((c = getopt_long(argc, argv, ":i:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			printf("dcc %s\n", DCACCEL_VERSION);
			return 1;
		case ':':	/* the option ended the command line */
			set_opt(o, optopt, NULL);
			return -1;
		case '?':
			if (optopt)
				fprintf(stderr, "dcc: unknown option '-%c' (dcc --help lists the options)\n",
					optopt);
			else
				fprintf(stderr, "dcc: unknown or ambiguous option '%s' (dcc --help lists the options)\n",
					argv[optind - 1]);
			return -1;
		default:
			if (set_opt(o, c, optarg))
				return -1;
			o->given[c & 127] = true;
		}
	}
	if (o->net && o->given['L']) {
		fprintf(stderr, "dcc: --net '%s' and --layers: expected one or the other\n", o->net);
		return -1;
	}
	for (size_t k = 0; o->net && !strcmp(o->net, "lenet5") &&
	     k < sizeof(lenet5_defaults) / sizeof(lenet5_defaults[0]); k++)
		if (!o->given[lenet5_defaults[k].opt])
			set_opt(o, lenet5_defaults[k].opt, lenet5_defaults[k].value);
	return 0;
}

int load_data(const struct opts *o, struct dataset *train,
		     struct dataset *test, struct dcc_error *err)
{
	if (train && dataset_load_dir(o->data, "train", o->train_limit, train, err))
		return -1;
	if (test && dataset_load_dir(o->data, "t10k", o->test_limit, test, err)) {
		if (train)
			dataset_free(train);
		return -1;
	}
	return 0;
}

/* The network the options name: --net, or the MLP of --layers. */
int build_net(const struct opts *o, struct net *n, struct dcc_error *err)
{
	if (o->net)
		return net_build(n, o->net, err);
	return net_build_mlp(n, o->sizes, o->nsizes - 1, err);
}

int do_prune(struct net *n, const struct opts *o,
		    const struct dataset *train, struct dcc_error *err)
{
	struct train_opts t = o->train;

	t.epochs = o->retrain_epochs;
	t.lr = o->train.adam ? o->train.lr * 0.3f : o->retrain_lr;
	t.stage = "retrain";
	for (uint32_t it = 0; it < o->prune_iters; it++) {
		if (pass_prune(n, o->quality, o->nquality,
			       (double)(it + 1) / o->prune_iters, err))
			return -1;
		if (t.epochs && net_train(n, train, &t, err) < 0)
			return -1;
	}
	return 0;
}

int do_quantize(struct net *n, const struct opts *o,
		       const struct dataset *train, struct dcc_error *err)
{
	struct train_opts t = o->train;

	if (pass_quantize(n, o->bits, o->nbits, err))
		return -1;
	t.epochs = o->finetune_epochs;
	t.lr = o->train.adam ? o->train.lr * 0.1f : o->retrain_lr;
	t.stage = "finetune";
	if (t.epochs && net_train(n, train, &t, err) < 0)
		return -1;
	return 0;
}

int do_lowbit(struct net *n, const struct opts *o,
	      const struct dataset *train, struct dcc_error *err)
{
	struct lowbit_opts lo = o->lowbit;

	/* no schedule before them: the bit-plane methods train longer */
	if (lowbit_is_planes(lo.method) && !o->given['f'])
		lo.final_epochs = LOWBIT_PLANES_EPOCHS;
	if (lowbit_train(n, &lo, &o->train, train, err))
		return -1;
	if (lo.method == LOWBIT_SMARTDEAL)
		printf("smartdeal: network %s\n", n->spec);
	return 0;
}

static bool trains_anew(enum sp_method m)
{
	return m == SP_PARAM_AWARE || m == SP_FLOP_AWARE || m == SP_MEMORY_AWARE;
}

/*
 * Structured pruning: the method's smaller network in place of n, then
 * fine-tuned (pa, fa and ma: trained anew, as the method does).
 */
int do_shrink(struct net *n, const struct opts *o,
	      const struct dataset *train, const struct dataset *test,
	      double *acc_before, struct dcc_error *err)
{
	const uint64_t p0 = net_params(n), m0 = net_macs(n), a0 = net_activations(n);
	struct train_opts t = o->train;
	struct net thin;
	double t0 = now();

	t.lr = o->train.adam ? o->train.lr * 0.3f : o->retrain_lr;
	t.stage = "sparsity";
	if (sp_apply(n, train, &o->sp, &t, &thin, err))
		return -1;
	printf("shrunk by %s at level %.2f in %.1f s:", sp_method_name(o->sp.method),
	       o->sp.level, now() - t0);
	/* weight layer by weight layer: slimming may have removed a bn between */
	for (uint32_t i = 0, j = 0; i < n->count; i++, j++) {
		if (!layer_has_weights(&n->l[i]))
			continue;
		while (j < thin.count && !layer_has_weights(&thin.l[j]))
			j++;
		if (j < thin.count)
			printf(" %s %u->%u", n->l[i].name, n->l[i].out.c, thin.l[j].out.c);
	}
	printf("\n  network %s\n  parameters %.1f%%, MACs %.1f%%, activations %.1f%% of before\n",
	       thin.spec, 100.0 * net_params(&thin) / p0, 100.0 * net_macs(&thin) / m0,
	       100.0 * net_activations(&thin) / a0);
	if (trains_anew(o->sp.method)) {
		net_init_weights(&thin, o->train.seed);
		t = o->train;
		t.stage = "train";
	} else {
		double acc = net_accuracy(&thin, test);

		printf("  test accuracy %.2f%% before fine-tuning\n", acc);
		if (acc_before)
			*acc_before = acc;
		t.epochs = o->shrink_epochs;
		t.lr = o->train.adam ? o->train.lr * 0.1f : o->shrink_lr;
		t.stage = "finetune";
	}
	t0 = now();
	if (t.epochs && net_train(&thin, train, &t, err) < 0) {
		net_free(&thin);
		return -1;
	}
	printf("  test accuracy %.2f%% after %s %u epochs (%.1f s)\n",
	       net_accuracy(&thin, test), trains_anew(o->sp.method) ?
	       "training anew for" : "fine-tuning for", t.epochs, now() - t0);
	net_free(n);
	*n = thin;
	return 0;
}

static void print_density(const struct net *n, const char *what, double acc)
{
	printf("%s: test accuracy %.2f%%, density", what, acc);
	for (uint32_t i = 0; i < n->count; i++)
		if (layer_has_weights(&n->l[i]))
			printf(" %s %.2f%%", n->l[i].name,
			       100 * weights_density(&n->l[i].wt));
	printf("\n");
}

static int write_plots(const char *dir, const struct net *dense,
		       const struct net *pruned, const struct net *quant,
		       struct dcc_error *err)
{
	/* a method that rebuilt the network has no layer-by-layer dense model */
	if (dense->count != quant->count) {
		printf("plots: none, the network was rebuilt (%s)\n", quant->spec);
		return 0;
	}
	mkdir(dir, 0755);
	for (uint32_t i = 0; i < quant->count; i++) {
		const struct layer *l = &quant->l[i];
		const struct weights *d = &dense->l[i].wt, *p = &pruned->l[i].wt;
		size_t nw = d->w.n, na = 0;
		float *kept;
		char path[4096], title[160];
		int ret;

		if (!layer_has_weights(l))
			continue;
		kept = malloc(nw * sizeof(float));
		if (!kept)
			return dcc_fail(err, "out of memory");
		for (size_t k = 0; k < nw; k++)
			if (p->w.v[k] != 0.0f)
				kept[na++] = p->w.v[k];
		snprintf(path, sizeof(path), "%s/%s.png", dir, l->name);
		snprintf(title, sizeof(title),
			 "%s: %u x %u weights, %.1f%% kept, %u-bit shared weights",
			 l->name, d->rows, d->cols, 100.0 * (double)na / (double)nw,
			 l->wt.bits);
		ret = plot_weights(path, title, d->w.v, nw, kept, na,
				   l->wt.cb.v + 1, (unsigned int)l->wt.cb.n - 1, err);
		free(kept);
		if (ret)
			return -1;
		printf("wrote %s\n", path);
	}
	return 0;
}

/* The weights of src in a new network of its shape (for the plots). */
static int copy_net(const struct net *src, struct net *dst, struct dcc_error *err)
{
	if (net_build(dst, src->spec, err))
		return -1;
	for (uint32_t i = 0; i < src->count; i++)
		if (layer_has_weights(&src->l[i]))
			memcpy(dst->l[i].wt.w.v, src->l[i].wt.w.v,
			       src->l[i].wt.w.n * sizeof(float));
	return 0;
}

/*
 * The device's cycle and energy models per inference over the first test
 * images, then the one-line summary scripts read (report_summary).
 */
static int print_device_model(const struct dcm_model *dm, const struct dataset *test,
			      const struct stage_acc *acc, struct dcc_error *err)
{
	double per_layer[DCM_LAYERS_MAX], total;
	struct fixedpoint_energy fe;

	if (test->count == 0)
		return 0;
	if (fixedpoint_cycles_per_inference(dm, test, per_layer, &total, err) ||
	    fixedpoint_energy_per_inference(dm, test, &fe, err))
		return -1;
	printf("device cycle model, per inference over %u test images:",
	       test->count < FIXEDPOINT_CYCLE_IMAGES ? test->count : FIXEDPOINT_CYCLE_IMAGES);
	for (uint32_t i = 0; i < dm->layer_count; i++)
		printf(" %s %.0f", dcm_kind_name(dm->layers[i].kind), per_layer[i]);
	printf("; %.0f cycles, %.2f us at %u MHz\n", total,
	       total / FIXEDPOINT_CLOCK_MHZ, FIXEDPOINT_CLOCK_MHZ);
	printf("device energy model, per inference (one job each, 45 nm table): %.1f nJ: DRAM weights %.1f, DRAM activations %.1f, SRAM %.1f, arithmetic %.1f; %.1f nJ with the weights on chip\n",
	       fe.total_nj, fe.dram_weights_nj, fe.dram_acts_nj, fe.sram_nj, fe.arith_nj,
	       fe.total_nj - fe.dram_weights_nj);
	report_summary(stdout, dm, acc, total, fe.total_nj, fe.total_nj - fe.dram_weights_nj);
	return 0;
}

/* Stage 4-6: fixed point, engine accuracy, .dcm written and read back. */
int do_encode(const struct net *n, const struct opts *o,
		     const struct dataset *train, const struct dataset *test,
		     struct stage_acc *acc, struct dcc_error *err)
{
	struct dcm_model dm, back;
	struct dcm_error de;
	struct net folded;
	int ret = -1;

	/* batch norm goes into the layer before it: the device has none */
	if (net_fold_bn(n, &folded, err))
		return -1;
	ret = fixedpoint_build(&folded, train, o->pes, o->zbits, &dm, err);
	net_free(&folded);
	if (ret)
		return -1;
	ret = -1;
	acc->fixed = fixedpoint_accuracy(&dm, test, NULL, err);
	if (acc->fixed < 0)
		goto out;
	if (dcm_write_file(&dm, o->out, &de)) {
		dcc_fail(err, "%s", de.msg);
		goto out;
	}
	if (dcm_read_file(o->out, &back, &de)) {
		dcc_fail(err, "reading back: %s", de.msg);
		goto out;
	}
	for (uint32_t i = 0; i < dm.layer_count; i++) {
		const struct eie_streams *a = &dm.layers[i].streams, *b = &back.layers[i].streams;

		/* only FC and CONV layers have EIE streams */
		if (dm.layers[i].kind != DCM_FC && dm.layers[i].kind != DCM_CONV)
			continue;
		if (a->entry_count != b->entry_count ||
		    memcmp(a->colptr, b->colptr, (size_t)a->pes * (a->cols + 1) * 4) ||
		    memcmp(a->entries, b->entries, (size_t)a->entry_count *
			   DCACCEL_EIE_ENTRY_BYTES(a->wbits, a->zbits))) {
			dcm_free(&back);
			dcc_fail(err, "layer %u: streams read back differ from the encoder's", i);
			goto out;
		}
	}
	report_table(stdout, &back, acc);
	printf("wrote %s (%u bytes; read back and checked: streams identical)\n",
	       o->out, back.file_bytes);
	ret = print_device_model(&back, test, acc, err);
	dcm_free(&back);
out:
	dcm_free(&dm);
	return ret;
}

static int cmd_compress(const struct opts *o, struct dcc_error *err)
{
	struct dataset train, test;
	struct net n, dense = { 0 }, pruned = { 0 };
	struct stage_acc acc = { -1, -1, -1, -1 };
	double t0 = now(), t;
	int ret = -1;

	if (load_data(o, &train, &test, err))
		return -1;
	printf("data: %u training and %u test images of %u pixels from %s\n",
	       train.count, test.count, train.dim, o->data);
	if (build_net(o, &n, err))
		goto out_data;
	if (fixedpoint_check(&n, err))	/* before hours of training */
		goto out;
	net_init_weights(&n, o->train.seed);
	printf("network: %s (%llu weights)\n", n.spec,
	       (unsigned long long)net_weights(&n));
	t = now();
	if (net_train(&n, &train, &o->train, err) < 0)
		goto out;
	acc.dense = net_accuracy(&n, &test);
	printf("dense: test accuracy %.2f%% (%u epochs, %.1f s)\n", acc.dense,
	       o->train.epochs, now() - t);
	if (o->sp.method != SP_NONE && do_shrink(&n, o, &train, &test, NULL, err))
		goto out;
	if (o->plots && copy_net(&n, &dense, err))
		goto out;
	t = now();
	if (o->lowbit.method != LOWBIT_NONE) {
		if (do_lowbit(&n, o, &train, err))
			goto out;
		/* the plots' "pruned" stage is the low-bit model too */
		if (o->plots && copy_net(&n, &pruned, err))
			goto out;
	} else {
		if (do_prune(&n, o, &train, err))
			goto out;
		acc.pruned = net_accuracy(&n, &test);
		print_density(&n, "pruned", acc.pruned);
		printf("  (%.1f s)\n", now() - t);
		if (o->plots && copy_net(&n, &pruned, err))
			goto out;
		t = now();
		if (do_quantize(&n, o, &train, err))
			goto out;
	}
	acc.quantized = net_accuracy(&n, &test);
	printf("%s: test accuracy %.2f%%, bits",
	       o->lowbit.method != LOWBIT_NONE ? lowbit_method_name(o->lowbit.method) :
	       "quantized", acc.quantized);
	for (uint32_t i = 0; i < n.count; i++)
		if (layer_has_weights(&n.l[i]))
			printf(" %s %u", n.l[i].name, n.l[i].wt.bits);
	printf(" (%.1f s)\n", now() - t);
	t = now();
	if (do_encode(&n, o, &train, &test, &acc, err))
		goto out;
	printf("fixed point + datapath on %u test images: %.1f s\n", test.count, now() - t);
	if (o->plots && write_plots(o->plots, &dense, &pruned, &n, err))
		goto out;
	printf("seed %llu; whole pipeline %.1f s wall\n",
	       (unsigned long long)o->train.seed, now() - t0);
	ret = 0;
out:
	net_free(&n);
	net_free(&dense);
	net_free(&pruned);
out_data:
	dataset_free(&train);
	dataset_free(&test);
	return ret;
}

static int cmd_import(const struct opts *o, int argc, char **argv,
		      struct dcc_error *err)
{
	struct net n = { 0 };
	int ret;

	if (o->safetensors) {
		struct tensor_set ts;

		if (safetensors_load(o->safetensors, &ts, err))
			return -1;
		ret = net_from_tensors(&ts, o->net, &n, err);
		tensor_set_free(&ts);
	} else {
		ret = net_import_npy(argv + optind, (unsigned int)(argc - optind),
				     o->transpose, o->net, &n, err);
	}
	if (!ret) {
		printf("imported %s: %llu weights\n", n.spec,
		       (unsigned long long)net_weights(&n));
		ret = net_save(&n, o->out, err);
	}
	net_free(&n);
	return ret;
}

static int cmd_stage(const char *cmd, const struct opts *o, int argc,
		     char **argv, struct dcc_error *err)
{
	struct dataset train = { 0 }, test = { 0 };
	struct net n = { 0 };
	bool need_train = strcmp(cmd, "eval") != 0;
	int ret = -1;

	if (!strcmp(cmd, "import"))
		return cmd_import(o, argc, argv, err);
	if (load_data(o, need_train ? &train : NULL, &test, err))
		return -1;
	if (!strcmp(cmd, "train")) {
		if (build_net(o, &n, err))
			goto out;
		net_init_weights(&n, o->train.seed);
		if (net_train(&n, &train, &o->train, err) < 0)
			goto out;
		printf("dense: test accuracy %.2f%%\n", net_accuracy(&n, &test));
	} else {
		if (net_load(o->in, o->net, &n, err))
			goto out;
		if (net_inputs(&n) != test.dim) {
			dcc_fail(err, "%s: wrong shape: model takes %u inputs, images have %u pixels",
				 o->in, net_inputs(&n), test.dim);
			goto out;
		}
	}
	if (!strcmp(cmd, "eval")) {
		print_density(&n, "eval", net_accuracy(&n, &test));
		ret = 0;
		goto out;
	}
	if (!strcmp(cmd, "prune")) {
		if (do_prune(&n, o, &train, err))
			goto out;
		print_density(&n, "pruned", net_accuracy(&n, &test));
	} else if (!strcmp(cmd, "shrink")) {
		if (do_shrink(&n, o, &train, &test, NULL, err))
			goto out;
	} else if (!strcmp(cmd, "quantize")) {
		if (do_quantize(&n, o, &train, err))
			goto out;
		print_density(&n, "quantized", net_accuracy(&n, &test));
	} else if (!strcmp(cmd, "lowbit")) {
		if (do_lowbit(&n, o, &train, err))
			goto out;
		print_density(&n, lowbit_method_name(o->lowbit.method),
			      net_accuracy(&n, &test));
	} else if (!strcmp(cmd, "encode")) {
		struct stage_acc acc = { -1, -1, net_accuracy(&n, &test), -1 };

		ret = do_encode(&n, o, &train, &test, &acc, err);
		goto out;
	}
	ret = net_save(&n, o->out, err);
out:
	net_free(&n);
	dataset_free(&train);
	dataset_free(&test);
	return ret;
}

static int cmd_info(const struct opts *o, char **argv, struct dcc_error *err)
{
	struct dcm_model dm;
	struct dcm_error de;
	struct dataset test;
	struct stage_acc acc = { -1, -1, -1, -1 };
	int ret = 0;

	if (dcm_read_file(argv[optind], &dm, &de))
		return dcc_fail(err, "%s", de.msg);
	if (load_data(o, NULL, &test, err)) {
		fprintf(stderr, "dcc: no test data (%s): accuracy not measured\n", err->msg);
		report_table(stdout, &dm, &acc);
		dcm_free(&dm);
		return 0;
	}
	acc.fixed = fixedpoint_accuracy(&dm, &test, NULL, err);
	report_table(stdout, &dm, &acc);
	/* a model of other inputs than the data's has no accuracy either */
	if (acc.fixed >= 0 && print_device_model(&dm, &test, &acc, err))
		ret = -1;
	dataset_free(&test);
	dcm_free(&dm);
	return ret;
}

/* What each command needs besides its options; -1 after a message. */
static int check_operands(const char *cmd, const struct opts *o, int argc,
			  char **argv)
{
	bool dcm_out = !strcmp(cmd, "encode") || !strcmp(cmd, "compress");
	int operands = argc - optind;

	if (!o->out && strcmp(cmd, "eval") && strcmp(cmd, "info")) {
		fprintf(stderr, "dcc %s: -o is missing: the %s to write\n", cmd,
			!strcmp(cmd, "sweep") ? "directory" : dcm_out ? ".dcm file" : ".safetensors file");
		return -1;
	}
	if (!o->in && (!strcmp(cmd, "eval") || !strcmp(cmd, "prune") ||
		       !strcmp(cmd, "quantize") || !strcmp(cmd, "encode") ||
		       !strcmp(cmd, "shrink") || !strcmp(cmd, "lowbit"))) {
		fprintf(stderr, "dcc %s: -i is missing: the .safetensors model to read\n", cmd);
		return -1;
	}
	if (!strcmp(cmd, "shrink") && o->sp.method == SP_NONE) {
		fprintf(stderr, "dcc shrink: --structure is missing: l1, slim, thinet, nisp, pa, fa or ma\n");
		return -1;
	}
	if (!strcmp(cmd, "lowbit") && o->lowbit.method == LOWBIT_NONE) {
		fprintf(stderr, "dcc lowbit: --lowbit is missing: %s\n", LOWBIT_NAMES);
		return -1;
	}
	if (o->lowbit.method != LOWBIT_NONE && strcmp(cmd, "lowbit") &&
	    strcmp(cmd, "compress")) {
		fprintf(stderr, "dcc %s: --lowbit is for the lowbit and compress commands\n", cmd);
		return -1;
	}
	if ((o->given['U'] || o->given['X']) && !lowbit_is_planes(o->lowbit.method)) {
		fprintf(stderr, "dcc %s: --lowbit-wbits and --lowbit-abits are for the bit-plane methods (--lowbit bwn, xnor, qnn or lq)\n",
			cmd);
		return -1;
	}
	if ((o->given['1'] || o->given['2']) && o->lowbit.method != LOWBIT_SMARTDEAL) {
		fprintf(stderr, "dcc %s: --sd-block and --sd-bits are for --lowbit smartdeal\n",
			cmd);
		return -1;
	}
	if (!strcmp(cmd, "info")) {
		if (operands == 1)
			return 0;
		if (operands == 0)
			fprintf(stderr, "dcc info: the .dcm file to read is missing\n");
		else
			fprintf(stderr, "dcc info: unexpected argument '%s'; expected one .dcm file\n",
				argv[optind + 1]);
		return -1;
	}
	if (!strcmp(cmd, "import")) {
		if (!o->safetensors && operands == 0) {
			fprintf(stderr, "dcc import: the model is missing: expected --safetensors FILE or .npy files W1.npy b1.npy ...\n");
			return -1;
		}
		if (o->safetensors && operands) {
			fprintf(stderr, "dcc import: --safetensors '%s' and .npy file '%s': expected one or the other\n",
				o->safetensors, argv[optind]);
			return -1;
		}
		return 0;
	}
	if (operands) {
		fprintf(stderr, "dcc %s: unexpected argument '%s'; expected options only\n",
			cmd, argv[optind]);
		return -1;
	}
	return 0;
}

static const char *const commands[] = {
	"train", "import", "eval", "prune", "quantize", "encode", "info", "compress",
	"shrink", "sweep", "lowbit",
};

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct dcc_error err = { "" };
	const char *cmd;
	size_t k;
	int ret;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version")) {
		printf("dcc %s\n", DCACCEL_VERSION);
		return 0;
	}
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (!strcmp(cmd, commands[k]))
			break;
	if (k == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "dcc: unknown command '%s'; expected one of:", cmd);
		for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
			fprintf(stderr, " %s", commands[k]);
		fprintf(stderr, " (dcc --help says more)\n");
		return 2;
	}
	ret = parse_opts(argc - 1, argv + 1, &o);
	if (ret)
		return ret < 0 ? 2 : 0;
	optind++;	/* getopt ran on argv + 1 */
	if (check_operands(cmd, &o, argc, argv))
		return 2;
	if (!strcmp(cmd, "compress"))
		ret = cmd_compress(&o, &err);
	else if (!strcmp(cmd, "sweep"))
		ret = cmd_sweep(&o, &err);
	else if (!strcmp(cmd, "info"))
		ret = cmd_info(&o, argv, &err);
	else
		ret = cmd_stage(cmd, &o, argc, argv, &err);
	if (ret) {
		fprintf(stderr, "dcc: %s\n", err.msg);
		return 1;
	}
	return 0;
}
