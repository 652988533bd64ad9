/* G.107 (06/2015) section 7 with the defaults of its Table 3, term by term, so that
 * each can be checked against the Recommendation: with every default R is 93.2. */
#include "emodel.h"
#include <math.h>

/* Table 3 defaults (dB, dBmp, dBm0p; delays in ms) */
#define SLR 8.0
#define RLR 2.0
#define STMR 15.0
#define DR 3.0
#define DS 3.0
#define TELR 65.0
#define WEPL 110.0
#define QDU 1.0
#define NC (-70.0)
#define NFOR (-64.0)
#define PS 35.0
#define PR 35.0
#define MT 100.0 /* the delay sensitivity class "default": mT and sT */
#define ST 1.0

static double pow10_(double x)
{
	return pow(10.0, x);
}

/* 7.2: the basic signal-to-noise ratio Ro, and No for the terms below */
static double noise_no(void)
{
	double olr = SLR + RLR, lstr = STMR + DR;
	double nos = PS - SLR - DS - 100 + 0.004 * pow(PS - olr - DS - 14, 2);
	double pre = PR + 10 * log10(1 + pow10_((10 - lstr) / 10));
	double nor = RLR - 121 + pre + 0.008 * pow(pre - 35, 2);
	double nfo = NFOR + RLR;
	return 10 * log10(pow10_(NC / 10) + pow10_(nos / 10) + pow10_(nor / 10) + pow10_(nfo / 10));
}

/* 7.3: the simultaneous impairment factor Is = Iolr + Ist + Iq */
static double simultaneous(double no, double ro, double t)
{
	double olr = SLR + RLR;
	double xolr = olr + 0.2 * (64 + no - RLR);
	double iolr = 20 * (pow(1 + pow(xolr / 8, 8), 1.0 / 8) - xolr / 8);
	double stmro = -10 * log10(pow10_(-STMR / 10) + exp(-t / 4) * pow10_(-TELR / 10));
	double ist = 12 * pow(1 + pow((stmro - 13) / 6, 8), 1.0 / 8) -
		     28 * pow(1 + pow((stmro + 1) / 19.4, 35), 1.0 / 35) -
		     13 * pow(1 + pow((stmro - 3) / 33, 13), 1.0 / 13) + 29;
	double q = 37 - 15 * log10(QDU);
	double g = 1.07 + 0.258 * q + 0.0602 * q * q;
	double y = (ro - 100) / 15 + 46 / 8.4 - g / 9;
	double z = 46 / 30.0 - g / 40;
	double iq = 15 * log10(1 + pow10_(y) + pow10_(z));
	return iolr + ist + iq;
}

/* 7.4: the delay impairment factor Id = Idte + Idle + Idd */
static double delay(double no, double ro, const struct emodel_in *in)
{
	double t = in->t_ms, ta = in->ta_ms;
	double terv = TELR - 40 * log10((1 + t / 10) / (1 + t / 150)) + 6 * exp(-0.3 * t * t);
	double roe = -1.5 * (no - RLR);
	double re = 80 + 2.5 * (terv - 14);
	double idte = ((roe - re) / 2 + sqrt(pow(roe - re, 2) / 4 + 100) - 1) * (1 - exp(-t));
	double rle = 10.5 * (WEPL + 7) * pow(in->tr_ms + 1, -0.25);
	double idle = (ro - rle) / 2 + sqrt(pow(ro - rle, 2) / 4 + 169);
	double idd = 0;
	if (ta > MT) {
		double x = log10(ta / MT) / log10(2);
		double e = 6 * ST;
		idd = 25 * (pow(1 + pow(x, e), 1 / e) - 3 * pow(1 + pow(x / 3, e), 1 / e) + 2);
	}
	return idte + idle + idd;
}

double emodel_r(const struct emodel_in *in)
{
	double no = noise_no();
	double ro = 15 - 1.5 * (SLR + no);
	double is = simultaneous(no, ro, in->t_ms);
	double id = delay(no, ro, in);
	/* 7.5: the effective equipment impairment factor under random or bursty loss */
	double burst_r = in->burst_r > 0 ? in->burst_r : 1;
	double ie_eff = in->ie + (95 - in->ie) * in->ppl / (in->ppl / burst_r + in->bpl);
	return ro - is - id - ie_eff;
}

double emodel_mos(double r)
{
	if (r <= 0)
		return 1;
	if (r >= 100)
		return 4.5;
	return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

double emodel_g711_mos(double loss_pct, double one_way_ms)
{
	struct emodel_in in = {
		.ppl = loss_pct > 0 ? loss_pct : 0, .burst_r = 1,
		.ie = EMODEL_G711_IE, .bpl = EMODEL_G711_PLC_BPL,
		.t_ms = one_way_ms, .tr_ms = 2 * one_way_ms, .ta_ms = one_way_ms,
	};
	return emodel_mos(emodel_r(&in));
}

unsigned mos_bin(double mos)
{
	double b = floor((mos - 1.0) * 100 + 0.5);
	return b <= 0 ? 0 : b >= MOS_BINS - 1 ? MOS_BINS - 1 : (unsigned)b;
}

double mos_of_bin(unsigned bin)
{
	return 1.0 + bin / 100.0;
}

void mos_add(struct mos_tally *t, double mos)
{
	if (!t->streams || mos < t->min)
		t->min = mos;
	t->streams++;
	t->sum += mos;
	t->bins[mos_bin(mos)]++;
}

double mos_mean(const struct mos_tally *t)
{
	return t->streams ? t->sum / (double)t->streams : 0;
}

void mos_merge(struct mos_tally *dst, const struct mos_tally *src)
{
	if (!src->streams)
		return;
	if (!dst->streams || src->min < dst->min)
		dst->min = src->min;
	dst->streams += src->streams;
	dst->sum += src->sum;
	for (unsigned i = 0; i < MOS_BINS; i++)
		dst->bins[i] += src->bins[i];
}

double mos_percentile(const struct mos_tally *t, double p)
{
	if (!t->streams)
		return 0;
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)t->streams), seen = 0;
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < MOS_BINS; i++) {
		seen += t->bins[i];
		if (seen >= rank)
			return mos_of_bin(i);
	}
	return mos_of_bin(MOS_BINS - 1);
}
