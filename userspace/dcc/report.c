// SPDX-License-Identifier: MIT
/*
 * Per layer: weights, density after pruning, bits of the codebook index
 * and of the relative index before and after Huffman coding, bytes, and
 * the compression rate against the dense fp32 layer (weights + biases);
 * then the model totals and the accuracy after every stage. A bit-plane
 * layer's row has its weights, their planes and its payload: its planes
 * are stored as they are, every weight of them, with no Huffman coding
 * and no relative indices.
 */
#include "../dcm/dcm_layout.h"
#include "report.h"

/* Pooling and quantizers have no weights and no row. */
static bool has_weights(const struct dcm_layer *l)
{
	return l->kind != DCM_POOL && l->kind != DCM_QUANT;
}

/* rows x cols; a bit-plane convolution's cols are its channels: K C R S. */
static double layer_weights(const struct dcm_layer *l)
{
	double w = (double)l->rows * l->cols;

	return l->kind == DCM_BITPLANE_CONV ? w * l->kernel_h * l->kernel_w : w;
}

/*
 * model-format.rst: a bit-plane layer's weights count once, not once
 * per plane, and its biases only when it has them.
 */
static double layer_dense_bytes(const struct dcm_layer *l)
{
	if (dcm_kind_is_bitplane(l->kind))
		return 4.0 * (layer_weights(l) + (l->bias ? l->rows : 0));
	return 4.0 * ((double)l->rows * l->cols + l->rows);
}

/*
 * Bytes without Huffman: fixed-width pairs plus codebook and raw biases;
 * a bit-plane or QUANT layer's payload, which has no Huffman coding.
 */
static double layer_pq_bytes(const struct dcm_layer *l)
{
	if (l->kind > DCM_POOL)
		return l->payload_bytes;
	return (double)l->stored_entries * (l->wbits + l->run_bits) / 8.0 +
	       2.0 * l->codebook_len + 4.0 * l->rows;
}

/* Stored weights: a bit-plane layer keeps every one. */
static double layer_nonzeros(const struct dcm_layer *l)
{
	return dcm_kind_is_bitplane(l->kind) ? layer_weights(l) : l->nonzeros;
}

/* Dense fp32 bytes, weights and non-zeros of the weight layers. */
static void totals(const struct dcm_model *m, double *dense, double *weights,
		   double *nz)
{
	*dense = *weights = *nz = 0;
	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];

		if (!has_weights(l))
			continue;
		*dense += layer_dense_bytes(l);
		*weights += layer_weights(l);
		*nz += layer_nonzeros(l);
	}
}

/* A bit-plane layer's row: its planes, no Huffman or index bits, no stream. */
static void bitplane_row(FILE *out, const char *name, const struct dcm_layer *l)
{
	double w = layer_weights(l);

	fprintf(out, "%-6s %8.0fK %7.2f%% | %6u %8s | %6s %8s | %9.0f %9u | %6.2f%% %6.2f%% | %10s\n",
		name, w / 1000, 100.0 * layer_nonzeros(l) / w, l->w_planes, "-",
		"-", "-", layer_pq_bytes(l), l->payload_bytes,
		100.0 * layer_pq_bytes(l) / layer_dense_bytes(l),
		100.0 * l->payload_bytes / layer_dense_bytes(l), "-");
}

void report_table(FILE *out, const struct dcm_model *m,
		  const struct stage_acc *acc)
{
	double dense = 0, weights = 0, nz = 0;
	uint16_t version = m->version ? m->version : dcm_model_version(m);
	double pq = DCM_HEADER_BYTES + (double)dcm_record_bytes(version) *
		    m->layer_count + 4;

	fprintf(out, "\n%-6s %9s %8s | %6s %8s | %6s %8s | %9s %9s | %7s %7s | %10s\n",
		"Layer", "#Weights", "Weights%", "W bits", "W bits", "I bits", "I bits",
		"Bytes", "Bytes", "Rate", "Rate", "EIE stream");
	fprintf(out, "%-6s %9s %8s | %6s %8s | %6s %8s | %9s %9s | %7s %7s | %10s\n",
		"", "", "(P)", "(P+Q)", "(P+Q+H)", "(P+Q)", "(P+Q+H)",
		"(P+Q)", "(P+Q+H)", "(P+Q)", "(P+Q+H)", "bytes (P)");
	unsigned int nconv = 0, nfc = 0;

	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];
		double w = (double)l->rows * l->cols, pairs = l->stored_entries;
		double wh = pairs ? l->widx_huff_bits / pairs : 0;
		double ih = pairs ? (l->huff_bits - l->widx_huff_bits) / pairs : 0;
		double eie = (double)l->streams.entry_count *
			     DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits) +
			     4.0 * l->streams.pes * (l->cols + 1.0);
		char name[16];

		if (l->kind == DCM_QUANT)
			pq += layer_pq_bytes(l);	/* in the file, no weights */
		if (!has_weights(l))
			continue;
		/* numbered by place among the convolutions or the FC layers */
		if (l->kind == DCM_CONV || l->kind == DCM_BITPLANE_CONV)
			snprintf(name, sizeof(name), "%sconv%u",
				 l->kind == DCM_CONV ? "" : "b", ++nconv);
		else
			snprintf(name, sizeof(name), "%sfc%u",
				 l->kind == DCM_FC ? "" : "b", ++nfc);
		dense += layer_dense_bytes(l);
		pq += layer_pq_bytes(l);
		weights += layer_weights(l);
		nz += layer_nonzeros(l);
		if (dcm_kind_is_bitplane(l->kind)) {
			bitplane_row(out, name, l);
			continue;
		}
		fprintf(out, "%-6s %8.0fK %7.2f%% | %6u %8.2f | %6u %8.2f | %9.0f %9u | %6.2f%% %6.2f%% | %10.0f\n",
			name, w / 1000, 100.0 * l->nonzeros / w, l->wbits, wh,
			l->run_bits, ih, layer_pq_bytes(l), l->payload_bytes,
			100.0 * layer_pq_bytes(l) / layer_dense_bytes(l),
			100.0 * l->payload_bytes / layer_dense_bytes(l), eie);
	}
	fprintf(out, "%-6s %8.0fK %7.2f%% | %6s %8s | %6s %8s | %9.0f %9u | %6.2f%% %6.2f%% |\n",
		"Total", weights / 1000, 100.0 * nz / weights, "", "", "", "",
		pq, m->file_bytes, 100.0 * pq / dense, 100.0 * m->file_bytes / dense);
	fprintf(out, "\nDense fp32: %.0f bytes. Compressed: %.0f bytes without Huffman (%.1fx), %u bytes in the .dcm with Huffman (%.1fx).\n",
		dense, pq, dense / pq, m->file_bytes, dense / m->file_bytes);
	if (acc) {
		const char *sep = " ";

		fprintf(out, "Top-1 accuracy:");
		if (acc->dense >= 0) {
			fprintf(out, "%sdense %.2f%%", sep, acc->dense);
			sep = ", ";
		}
		if (acc->pruned >= 0) {
			fprintf(out, "%spruned %.2f%%", sep, acc->pruned);
			sep = ", ";
		}
		if (acc->quantized >= 0) {
			fprintf(out, "%squantized %.2f%%", sep, acc->quantized);
			sep = ", ";
		}
		if (acc->fixed >= 0)
			fprintf(out, "%sfixed-point on the EIE engine %.2f%%", sep, acc->fixed);
		if (acc->dense >= 0 && acc->fixed >= 0)
			fprintf(out, " (drop %.2f pp)", acc->dense - acc->fixed);
		fprintf(out, "\n");
	}
}

void report_summary(FILE *out, const struct dcm_model *m,
		    const struct stage_acc *acc, double cycles, double energy_nj,
		    double onchip_nj)
{
	double dense, weights, nz;
	const char *sep = "";

	totals(m, &dense, &weights, &nz);
	fprintf(out, "summary: bytes=%u rate=%.2f density=%.4f wbits=", m->file_bytes,
		dense / m->file_bytes, weights ? nz / weights : 0);
	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];

		if (has_weights(l)) {
			fprintf(out, "%s%u", sep, dcm_kind_is_bitplane(l->kind) ?
				l->w_planes : l->wbits);
			sep = ",";
		}
	}
	/* the activation bits each weight layer reads: FC and CONV int16 */
	fprintf(out, " abits=");
	sep = "";
	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];

		if (has_weights(l)) {
			fprintf(out, "%s%u", sep, dcm_kind_is_bitplane(l->kind) ?
				l->a_planes : 16u);
			sep = ",";
		}
	}
	fprintf(out, " dense=%.2f trained=%.2f fixed=%.2f cycles=%.0f energy_nj=%.2f onchip_nj=%.2f\n",
		acc->dense, acc->quantized, acc->fixed, cycles, energy_nj, onchip_nj);
}
