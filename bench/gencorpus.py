#!/usr/bin/env python3
"""gencorpus.py - a generated stand-in for real financial news.

`make bench` tags the real news of ../shared/data when it is there; on any
other machine it uses this generator: JSONL documents ({"id", "lang",
"text"}) with about the zh/en mix of that news (three quarters of the bytes
Chinese), each a few paragraphs of filler prose with figures in the shapes
the rule pack looks for (amounts, percentages, growth, dates, stock codes,
quantities) and numbers that are not entities.  Deterministic for a seed.

usage: gencorpus.py [--mb N] [--seed S] > corpus.jsonl
"""
import argparse
import json
import random
import sys

ZH_FILLER = [
    "公司表示将继续加大研发投入，推动产品结构优化升级",
    "业内人士认为，行业景气度有望在下半年进一步回升",
    "分析师指出，市场对政策面的预期仍较为谨慎",
    "该项目建成后将显著提升区域产业链的协同水平",
    "监管部门近日发布通知，要求进一步规范信息披露行为",
    "消费电子需求回暖，带动上游元器件订单明显增加",
    "多家机构上调了对该板块的评级，看好其长期成长空间",
    "受海外市场波动影响，部分出口企业面临一定压力",
    "新能源汽车渗透率持续提升，产业链上下游加速整合",
    "在人工智能浪潮推动下，算力基础设施建设明显提速",
]
ZH_COMPANIES = ["中科曙光", "贵州茅台", "宁德时代", "比亚迪", "招商银行", "隆基绿能", "万科A", "中国平安"]
ZH_CODES = ["603019", "600519", "300750", "002594", "600036", "601012", "000002", "601318"]
EN_FILLER = [
    "The company said it would keep investing in research and development",
    "Analysts expect demand to recover gradually over the coming quarters",
    "Shares rose in early trading after the announcement",
    "The central bank left its benchmark rate unchanged",
    "Investors remain cautious ahead of the policy meeting",
    "Supply chain pressures have eased, according to the survey",
    "The board approved a new buyback programme",
    "Executives pointed to strong demand for data-centre hardware",
]
EN_TICKERS = ["AAPL", "NVDA", "MSFT", "TSLA", "AMZN", "META"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]


def zh_figure(r):
    k = r.randrange(9)
    if k == 0:
        return "实现营业收入%.2f亿元" % r.uniform(1, 900)
    if k == 1:
        return "同比增长%.2f%%" % r.uniform(0, 80)
    if k == 2:
        return "%s(%s)" % tuple(r.choice(list(zip(ZH_COMPANIES, ZH_CODES))))
    if k == 3:
        return "%d年%d月%d日" % (r.randrange(2018, 2027), r.randrange(1, 13), r.randrange(1, 29))
    if k == 4:
        return "净利润%d万元至%d万元" % (r.randrange(100, 5000), r.randrange(5000, 9000))
    if k == 5:
        return "出货量达%d万台" % r.randrange(1, 999)
    if k == 6:
        return "较上年下降%.1f个百分点" % r.uniform(0, 9)
    if k == 7:
        return "第%d季度共有%d家门店" % (r.randrange(1, 5), r.randrange(10, 900))
    return "约%s亿美元" % r.choice(["三", "五", "十二", "二十"])


def en_figure(r):
    k = r.randrange(7)
    if k == 0:
        return "revenue of $%.1f billion" % r.uniform(1, 90)
    if k == 1:
        return "up %.1f%% from a year earlier" % r.uniform(0, 40)
    if k == 2:
        return "on %s %d, %d" % (r.choice(MONTHS), r.randrange(1, 29), r.randrange(2018, 2027))
    if k == 3:
        return "(NASDAQ: %s)" % r.choice(EN_TICKERS)
    if k == 4:
        return "%d million barrels a day" % r.randrange(1, 30)
    if k == 5:
        return "in Q%d %d" % (r.randrange(1, 5), r.randrange(2018, 2027))
    return "route %d near gate %d" % (r.randrange(1, 99), r.randrange(1, 99))


def zh_doc(r):
    paras = []
    for _ in range(r.randrange(2, 9)):
        sents = []
        for _ in range(r.randrange(2, 6)):
            s = r.choice(ZH_FILLER)
            if r.random() < 0.7:
                s += "，" + zh_figure(r)
            sents.append(s)
        paras.append("。".join(sents) + "。")
    return "\n".join(paras)


def en_doc(r):
    paras = []
    for _ in range(r.randrange(1, 6)):
        sents = []
        for _ in range(r.randrange(2, 6)):
            s = r.choice(EN_FILLER)
            if r.random() < 0.6:
                s += ", with " + en_figure(r)
            sents.append(s)
        paras.append(". ".join(sents) + ".")
    return "\n".join(paras)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=18.0)
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    r = random.Random(a.seed)
    want = int(a.mb * 1e6)
    done = zh = 0
    i = 0
    out = sys.stdout
    while done < want:
        lang = "zh" if zh <= 3 * (done - zh) else "en"
        text = zh_doc(r) if lang == "zh" else en_doc(r)
        n = len(text.encode("utf-8"))
        done += n
        if lang == "zh":
            zh += n
        out.write(json.dumps({"id": "gen%d" % i, "lang": lang, "text": text},
                             ensure_ascii=False) + "\n")
        i += 1


if __name__ == "__main__":
    main()
