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
#include "fixedpoint.h"
#include "model_io.h"
#include "plot.h"
#include "report.h"

#define DEFAULT_DATA "/usr/share/datasets/fashion-mnist"

struct opts {
	const char *data, *in, *out, *plots, *safetensors;
	uint32_t sizes[MLP_LAYERS_MAX + 1], nsizes;
	uint32_t train_limit, test_limit;
	struct train_opts train;
	uint32_t prune_iters, retrain_epochs, finetune_epochs;
	double quality[MLP_LAYERS_MAX];
	unsigned int bits[MLP_LAYERS_MAX];
	uint32_t nquality, nbits, pes, zbits;
	float retrain_lr;
	bool transpose;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: dcc COMMAND [options]\n"
"  train     -o model.safetensors        train the dense baseline\n"
"  import    -o model.safetensors (--safetensors F | W1.npy b1.npy ...)\n"
"  eval      -i model.safetensors        fp32 test accuracy\n"
"  prune     -i in -o out                prune by magnitude, retrain with the mask held\n"
"  quantize  -i in -o out                k-means weight sharing, fine-tune centroids\n"
"  encode    -i in -o model.dcm          fixed point, EIE streams, engine accuracy, .dcm\n"
"  info      model.dcm                   check a .dcm, print its table and engine accuracy\n"
"  compress  -o model.dcm                all of the above from scratch (LeNet-300-100)\n"
"options:\n"
"  --data DIR            Fashion-MNIST IDX files (default " DEFAULT_DATA ")\n"
"  --layers 784,300,100,10   --seed N   --epochs N   --batch N   --lr X\n"
"  --lr-decay X   --momentum X   --weight-decay X   --adam\n"
"  --train-limit N   --test-limit N   (use the first N images)\n"
"  --quality q1,q2,...   threshold = q x stddev per layer (default 1.05,1.05,0.7)\n"
"  --prune-iters N (4)   --retrain-epochs N (6)   --retrain-lr X (0.03)\n"
"      iteration i of N prunes at i/N of the quality\n"
"  --bits b1,b2,...   codebook bits per layer (default 4,5,5)\n"
"  --finetune-epochs N   --centroid-lr X\n"
"  --pes N (default 64)   --zbits N   --plots DIR   --progress   --transpose\n");
}

static int parse_list(const char *s, double *v, uint32_t max, uint32_t *n)
{
	char *end;

	*n = 0;
	while (*s) {
		if (*n == max)
			return -1;
		v[(*n)++] = strtod(s, &end);
		if (end == s)
			return -1;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return *n ? 0 : -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
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
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 } };
	double v[MLP_LAYERS_MAX + 1];
	uint32_t n;
	int c;

	o->data = DEFAULT_DATA;
	train_opts_default(&o->train);
	o->train.progress = isatty(2);
	o->prune_iters = 4;
	o->retrain_epochs = 6;
	o->retrain_lr = 0.03f;
	o->finetune_epochs = 3;
	o->pes = DCACCEL_EIE_PES_DEFAULT;
	o->nsizes = 4;
	memcpy(o->sizes, (uint32_t[]){ 784, 300, 100, 10 }, 4 * sizeof(uint32_t));
	o->nquality = 3;
	memcpy(o->quality, (double[]){ 1.05, 1.05, 0.7 }, 3 * sizeof(double));
	o->nbits = 3;
	memcpy(o->bits, (unsigned int[]){ 4, 5, 5 }, 3 * sizeof(unsigned int));
	while ((c = getopt_long(argc, argv, "i:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o->in = optarg; break;
		case 'o': o->out = optarg; break;
		case 'd': o->data = optarg; break;
		case 'L':
			if (parse_list(optarg, v, MLP_LAYERS_MAX + 1, &n) || n < 2)
				goto bad;
			for (uint32_t k = 0; k < n; k++)
				o->sizes[k] = (uint32_t)v[k];
			o->nsizes = n;
			break;
		case 's': o->train.seed = strtoull(optarg, NULL, 0); break;
		case 'e': o->train.epochs = (uint32_t)atoi(optarg); break;
		case 'b': o->train.batch = (uint32_t)atoi(optarg); break;
		case 'r': o->train.lr = strtof(optarg, NULL); break;
		case 'D': o->train.lr_decay = strtof(optarg, NULL); break;
		case 'm': o->train.momentum = strtof(optarg, NULL); break;
		case 'w': o->train.weight_decay = strtof(optarg, NULL); break;
		case 'A': o->train.adam = true; break;
		case 'T': o->train_limit = (uint32_t)atoi(optarg); break;
		case 't': o->test_limit = (uint32_t)atoi(optarg); break;
		case 'q':
			if (parse_list(optarg, o->quality, MLP_LAYERS_MAX, &o->nquality))
				goto bad;
			break;
		case 'I': o->prune_iters = (uint32_t)atoi(optarg); break;
		case 'R': o->retrain_epochs = (uint32_t)atoi(optarg); break;
		case 'l': o->retrain_lr = strtof(optarg, NULL); break;
		case 'B':
			if (parse_list(optarg, v, MLP_LAYERS_MAX, &o->nbits))
				goto bad;
			for (uint32_t k = 0; k < o->nbits; k++) {
				if (v[k] < 1 || v[k] > 8)
					goto bad;
				o->bits[k] = (unsigned int)v[k];
			}
			break;
		case 'F': o->finetune_epochs = (uint32_t)atoi(optarg); break;
		case 'C': o->train.centroid_lr = strtof(optarg, NULL); break;
		case 'P': o->pes = (uint32_t)atoi(optarg); break;
		case 'z': o->zbits = (uint32_t)atoi(optarg); break;
		case 'p': o->plots = optarg; break;
		case 'g': o->train.progress = true; break;
		case 'x': o->transpose = true; break;
		case 'S': o->safetensors = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: goto bad;
		}
	}
	if (o->train.batch == 0 || o->pes == 0 || o->pes > DCACCEL_EIE_PES_MAX ||
	    o->zbits > 8) {
		fprintf(stderr, "dcc: --batch must be positive, --pes 1..%u, --zbits 0..8\n",
			DCACCEL_EIE_PES_MAX);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "dcc: bad option or value (see dcc --help)\n");
	return -1;
}

static int load_data(const struct opts *o, struct dataset *train,
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

static int do_prune(struct mlp *m, const struct opts *o,
		    const struct dataset *train, struct dcc_error *err)
{
	struct train_opts t = o->train;

	t.epochs = o->retrain_epochs;
	t.lr = o->train.adam ? o->train.lr * 0.3f : o->retrain_lr;
	t.stage = "retrain";
	for (uint32_t it = 0; it < o->prune_iters; it++) {
		for (uint32_t i = 0; i < m->nlayers; i++) {
			double q = o->quality[i < o->nquality ? i : o->nquality - 1];

			if (prune_layer(&m->l[i], q * (it + 1) / o->prune_iters) < 0)
				return dcc_fail(err, "out of memory");
		}
		if (t.epochs && mlp_train(m, train, &t, err) < 0)
			return -1;
	}
	return 0;
}

static int do_quantize(struct mlp *m, const struct opts *o,
		       const struct dataset *train, struct dcc_error *err)
{
	struct train_opts t = o->train;

	for (uint32_t i = 0; i < m->nlayers; i++)
		if (quantize_layer(&m->l[i], o->bits[i < o->nbits ? i : o->nbits - 1]))
			return dcc_fail(err, "layer %u: quantization failed", i);
	t.epochs = o->finetune_epochs;
	t.lr = o->train.adam ? o->train.lr * 0.1f : o->retrain_lr;
	t.stage = "finetune";
	if (t.epochs && mlp_train(m, train, &t, err) < 0)
		return -1;
	return 0;
}

static void print_density(const struct mlp *m, const char *what, double acc)
{
	printf("%s: test accuracy %.2f%%, density", what, acc);
	for (uint32_t i = 0; i < m->nlayers; i++)
		printf(" fc%u %.2f%%", i + 1, 100 * layer_density(&m->l[i]));
	printf("\n");
}

static int write_plots(const char *dir, const struct mlp *dense,
		       const struct mlp *pruned, const struct mlp *quant,
		       struct dcc_error *err)
{
	mkdir(dir, 0755);
	for (uint32_t i = 0; i < quant->nlayers; i++) {
		const struct fc *d = &dense->l[i], *p = &pruned->l[i], *q = &quant->l[i];
		size_t nw = (size_t)d->in * d->out, na = 0;
		float *kept = malloc(nw * sizeof(float));
		char path[4096], title[128];
		int ret;

		if (!kept)
			return dcc_fail(err, "out of memory");
		for (size_t k = 0; k < nw; k++)
			if (p->w[k] != 0.0f)
				kept[na++] = p->w[k];
		snprintf(path, sizeof(path), "%s/fc%u.png", dir, i + 1);
		snprintf(title, sizeof(title),
			 "fc%u: %u x %u weights, %.1f%% kept, %u-bit shared weights",
			 i + 1, d->out, d->in, 100.0 * (double)na / (double)nw,
			 q->bits);
		ret = plot_weights(path, title, d->w, nw, kept, na,
				   q->centroid + 1, q->ncent - 1, err);
		free(kept);
		if (ret)
			return -1;
		printf("wrote %s\n", path);
	}
	return 0;
}

static int copy_mlp(const struct mlp *src, struct mlp *dst, struct dcc_error *err)
{
	uint32_t sizes[MLP_LAYERS_MAX + 1];

	sizes[0] = src->l[0].in;
	for (uint32_t i = 0; i < src->nlayers; i++)
		sizes[i + 1] = src->l[i].out;
	if (mlp_alloc(dst, sizes, src->nlayers, err))
		return -1;
	for (uint32_t i = 0; i < src->nlayers; i++)
		memcpy(dst->l[i].w, src->l[i].w,
		       (size_t)src->l[i].in * src->l[i].out * sizeof(float));
	return 0;
}

/* Stage 4-6: fixed point, engine accuracy, .dcm written and read back. */
static int do_encode(const struct mlp *m, const struct opts *o,
		     const struct dataset *train, const struct dataset *test,
		     struct stage_acc *acc, struct dcc_error *err)
{
	struct dcm_model dm, back;
	struct dcm_error de;
	int ret = -1;

	if (fixedpoint_build(m, train, o->pes, o->zbits, &dm, err))
		return -1;
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
	dcm_free(&back);
	ret = 0;
out:
	dcm_free(&dm);
	return ret;
}

static int cmd_compress(const struct opts *o, struct dcc_error *err)
{
	struct dataset train, test;
	struct mlp m, dense = { 0 }, pruned = { 0 };
	struct stage_acc acc = { -1, -1, -1, -1 };
	double t0 = now(), t;
	int ret = -1;

	if (!o->out)
		return dcc_fail(err, "compress needs -o model.dcm");
	if (load_data(o, &train, &test, err))
		return -1;
	printf("data: %u training and %u test images of %u pixels from %s\n",
	       train.count, test.count, train.dim, o->data);
	if (mlp_init(&m, o->sizes, o->nsizes - 1, o->train.seed, err))
		goto out_data;
	t = now();
	if (mlp_train(&m, &train, &o->train, err) < 0)
		goto out;
	acc.dense = mlp_accuracy(&m, &test);
	printf("dense: test accuracy %.2f%% (%u epochs, %.1f s)\n", acc.dense,
	       o->train.epochs, now() - t);
	if (o->plots && copy_mlp(&m, &dense, err))
		goto out;
	t = now();
	if (do_prune(&m, o, &train, err))
		goto out;
	acc.pruned = mlp_accuracy(&m, &test);
	print_density(&m, "pruned", acc.pruned);
	printf("  (%.1f s)\n", now() - t);
	if (o->plots && copy_mlp(&m, &pruned, err))
		goto out;
	t = now();
	if (do_quantize(&m, o, &train, err))
		goto out;
	acc.quantized = mlp_accuracy(&m, &test);
	printf("quantized: test accuracy %.2f%%, bits", acc.quantized);
	for (uint32_t i = 0; i < m.nlayers; i++)
		printf(" fc%u %u", i + 1, m.l[i].bits);
	printf(" (%.1f s)\n", now() - t);
	t = now();
	if (do_encode(&m, o, &train, &test, &acc, err))
		goto out;
	printf("fixed point + EIE engine on %u test images: %.1f s\n", test.count, now() - t);
	if (o->plots && write_plots(o->plots, &dense, &pruned, &m, err))
		goto out;
	printf("seed %llu; whole pipeline %.1f s wall\n",
	       (unsigned long long)o->train.seed, now() - t0);
	ret = 0;
out:
	mlp_free(&m);
	mlp_free(&dense);
	mlp_free(&pruned);
out_data:
	dataset_free(&train);
	dataset_free(&test);
	return ret;
}

static int cmd_stage(const char *cmd, const struct opts *o, int argc,
		     char **argv, struct dcc_error *err)
{
	struct dataset train = { 0 }, test = { 0 };
	struct mlp m = { 0 };
	bool need_train = strcmp(cmd, "eval") != 0;
	int ret = -1;

	if (!strcmp(cmd, "import")) {
		struct tensor_set ts;

		if (!o->out)
			return dcc_fail(err, "import needs -o model.safetensors");
		if (o->safetensors) {
			if (safetensors_load(o->safetensors, &ts, err))
				return -1;
			ret = mlp_from_tensors(&ts, &m, err);
			tensor_set_free(&ts);
		} else {
			ret = mlp_import_npy(argv + optind, (unsigned int)(argc - optind),
					     o->transpose, &m, err);
		}
		if (!ret) {
			printf("imported %u layers, %llu weights\n", m.nlayers,
			       (unsigned long long)mlp_weights(&m));
			ret = mlp_save(&m, o->out, err);
		}
		mlp_free(&m);
		return ret;
	}
	if (strcmp(cmd, "eval") && !o->out)
		return dcc_fail(err, "%s needs -o FILE", cmd);
	if (strcmp(cmd, "train") && !o->in)
		return dcc_fail(err, "%s needs -i model.safetensors", cmd);
	if (load_data(o, need_train ? &train : NULL, &test, err))
		return -1;
	if (!strcmp(cmd, "train")) {
		if (mlp_init(&m, o->sizes, o->nsizes - 1, o->train.seed, err) ||
		    mlp_train(&m, &train, &o->train, err) < 0)
			goto out;
		printf("dense: test accuracy %.2f%%\n", mlp_accuracy(&m, &test));
	} else {
		if (mlp_load(o->in, &m, err))
			goto out;
		if (m.l[0].in != test.dim) {
			dcc_fail(err, "%s: wrong shape: model takes %u inputs, images have %u pixels",
				 o->in, m.l[0].in, test.dim);
			goto out;
		}
	}
	if (!strcmp(cmd, "eval")) {
		print_density(&m, "eval", mlp_accuracy(&m, &test));
		ret = 0;
		goto out;
	}
	if (!strcmp(cmd, "prune")) {
		if (do_prune(&m, o, &train, err))
			goto out;
		print_density(&m, "pruned", mlp_accuracy(&m, &test));
	} else if (!strcmp(cmd, "quantize")) {
		if (do_quantize(&m, o, &train, err))
			goto out;
		print_density(&m, "quantized", mlp_accuracy(&m, &test));
	} else if (!strcmp(cmd, "encode")) {
		struct stage_acc acc = { -1, -1, mlp_accuracy(&m, &test), -1 };

		ret = do_encode(&m, o, &train, &test, &acc, err);
		goto out;
	}
	ret = mlp_save(&m, o->out, err);
out:
	mlp_free(&m);
	dataset_free(&train);
	dataset_free(&test);
	return ret;
}

static int cmd_info(const struct opts *o, int argc, char **argv,
		    struct dcc_error *err)
{
	struct dcm_model dm;
	struct dcm_error de;
	struct dataset test;
	struct stage_acc acc = { -1, -1, -1, -1 };

	if (optind >= argc)
		return dcc_fail(err, "info needs a .dcm file");
	if (dcm_read_file(argv[optind], &dm, &de))
		return dcc_fail(err, "%s", de.msg);
	if (!load_data(o, NULL, &test, err)) {
		acc.fixed = fixedpoint_accuracy(&dm, &test, NULL, err);
		dataset_free(&test);
	} else {
		fprintf(stderr, "dcc: no test data (%s): accuracy not measured\n", err->msg);
	}
	report_table(stdout, &dm, &acc);
	dcm_free(&dm);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct dcc_error err = { "" };
	const char *cmd;
	int ret;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (parse_opts(argc - 1, argv + 1, &o))
		return 2;
	optind++;	/* getopt ran on argv + 1 */
	if (!strcmp(cmd, "compress"))
		ret = cmd_compress(&o, &err);
	else if (!strcmp(cmd, "info"))
		ret = cmd_info(&o, argc, argv, &err);
	else if (!strcmp(cmd, "train") || !strcmp(cmd, "prune") ||
		 !strcmp(cmd, "quantize") || !strcmp(cmd, "encode") ||
		 !strcmp(cmd, "eval") || !strcmp(cmd, "import"))
		ret = cmd_stage(cmd, &o, argc, argv, &err);
	else {
		fprintf(stderr, "dcc: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	}
	if (ret) {
		fprintf(stderr, "dcc: %s\n", err.msg);
		return 1;
	}
	return 0;
}
