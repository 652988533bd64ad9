#!/usr/bin/env python3
# The table of test_emodel.c, computed from ITU-T G.107 (06/2015) section 7 and Annex B
# with the defaults of its Table 3, written out apart from engine/emodel.c; G.711 with
# packet loss concealment: Ie 0, Bpl 25.1 (G.113 Appendix I). Run it to print the rows.
from math import exp, log10, sqrt

def rating(ppl=0.0, bpl=25.1, ie=0.0, burst_r=1.0, T=0.0, Tr=0.0, Ta=0.0):
    SLR, RLR, STMR, Dr, Ds, TELR, WEPL, qdu = 8, 2, 15, 3, 3, 65, 110, 1
    Nc, Nfor, Ps, Pr, mT, sT = -70, -64, 35, 35, 100, 1
    LSTR, OLR = STMR + Dr, SLR + RLR
    Nos = Ps - SLR - Ds - 100 + 0.004 * (Ps - OLR - Ds - 14) ** 2
    Pre = Pr + 10 * log10(1 + 10 ** ((10 - LSTR) / 10))
    Nor = RLR - 121 + Pre + 0.008 * (Pre - 35) ** 2
    Nfo = Nfor + RLR
    No = 10 * log10(10 ** (Nc / 10) + 10 ** (Nos / 10) + 10 ** (Nor / 10) + 10 ** (Nfo / 10))
    Ro = 15 - 1.5 * (SLR + No)
    Xolr = OLR + 0.2 * (64 + No - RLR)
    Iolr = 20 * ((1 + (Xolr / 8) ** 8) ** (1 / 8) - Xolr / 8)
    STMRo = -10 * log10(10 ** (-STMR / 10) + exp(-T / 4) * 10 ** (-TELR / 10))
    Ist = (12 * (1 + ((STMRo - 13) / 6) ** 8) ** (1 / 8) - 28 * (1 + ((STMRo + 1) / 19.4) ** 35) ** (1 / 35)
           - 13 * (1 + ((STMRo - 3) / 33) ** 13) ** (1 / 13) + 29)
    Q = 37 - 15 * log10(qdu)
    G = 1.07 + 0.258 * Q + 0.0602 * Q * Q
    Iq = 15 * log10(1 + 10 ** ((Ro - 100) / 15 + 46 / 8.4 - G / 9) + 10 ** (46 / 30 - G / 40))
    Is = Iolr + Ist + Iq
    TERV = TELR - 40 * log10((1 + T / 10) / (1 + T / 150)) + 6 * exp(-0.3 * T * T)
    Roe, Re = -1.5 * (No - RLR), 80 + 2.5 * (TERV - 14)
    Idte = ((Roe - Re) / 2 + sqrt((Roe - Re) ** 2 / 4 + 100) - 1) * (1 - exp(-T))
    Rle = 10.5 * (WEPL + 7) * (Tr + 1) ** -0.25
    Idle = (Ro - Rle) / 2 + sqrt((Ro - Rle) ** 2 / 4 + 169)
    Idd = 0.0
    if Ta > mT:
        X = log10(Ta / mT) / log10(2)
        Idd = 25 * ((1 + X ** (6 * sT)) ** (1 / (6 * sT)) - 3 * (1 + (X / 3) ** (6 * sT)) ** (1 / (6 * sT)) + 2)
    Ie_eff = ie + (95 - ie) * ppl / (ppl / burst_r + bpl)
    return Ro - Is - (Idte + Idle + Idd) - Ie_eff

def mos(r):
    return 1.0 if r <= 0 else 4.5 if r >= 100 else 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6

if __name__ == '__main__':
    for loss in (0, 1, 2, 5, 10, 20):
        for d in (0, 25, 100, 150, 200, 300, 400):
            r = rating(ppl=loss, T=d, Tr=2 * d, Ta=d)
            print('\t{ %g, %g, %.4f, %.4f },' % (loss, d, r, mos(r)))
