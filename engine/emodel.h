/* Listening quality of a voice stream by the E-model (ITU-T G.107, 06/2015): a
 * transmission rating R from the impairments of one direction of a call, the MOS it
 * predicts, and a tally of the MOS of many streams. Pure: no I/O, no allocation. */
#ifndef TL_EMODEL_H
#define TL_EMODEL_H
#include <stdint.h>

/* What the network does to one direction; every other parameter of G.107 keeps its
 * default (Table 3: no circuit noise, echo well controlled, standard handsets). */
struct emodel_in {
	double ppl;     /* packet loss, percent */
	double burst_r; /* burst ratio (1: random loss) */
	double ie, bpl; /* the codec's equipment impairment and loss robustness (G.113) */
	double t_ms;    /* mean one-way delay of the echo path */
	double tr_ms;   /* round trip in the 4-wire loop */
	double ta_ms;   /* absolute one-way delay */
};

/* G.711 with packet loss concealment (its Appendix I), random loss: G.113 Appendix I */
#define EMODEL_G711_IE 0.0
#define EMODEL_G711_PLC_BPL 25.1

/* R = Ro - Is - Id - Ie,eff + A (G.107 7.1), with A = 0. */
double emodel_r(const struct emodel_in *in);
/* The MOS (conversational quality, estimated) of a rating (G.107 Annex B): 1 to 4.5. */
double emodel_mos(double r);
/* A G.711 stream's MOS from its loss (percent, random) and one-way delay (ms; the echo
 * path and the absolute delay alike, the round trip twice it). */
double emodel_g711_mos(double loss_pct, double one_way_ms);

/* The MOS of many streams: mean, low percentile and minimum, mergeable. */
#define MOS_BINS 351 /* 1.00 to 4.50 in steps of 0.01 */
struct mos_tally {
	uint64_t streams;
	double sum, min;
	uint64_t bins[MOS_BINS];
};
void mos_add(struct mos_tally *t, double mos);
/* The mean MOS, 0 for no stream. */
double mos_mean(const struct mos_tally *t);
void mos_merge(struct mos_tally *dst, const struct mos_tally *src);
/* The MOS at percentile p (0 < p <= 100) to within 0.01, or 0 for no stream. */
double mos_percentile(const struct mos_tally *t, double p);
/* The bin of a MOS and the MOS a bin stands for. */
unsigned mos_bin(double mos);
double mos_of_bin(unsigned bin);

#endif
