"""Natural questions about the sample leaflets, worded as patients ask them, against the default store.

    .venv/bin/python bench/leaflets.py [--config bilge.toml] [--details out.jsonl]

The tests' leaflet questions (tests/test_answers.py) echo the leaflets' own words; real users
paraphrase ("saklama koşulları nedir?", "araba sürmek tehlikeli midir?") and ask what the
leaflets do not say. This is a dev set for that, kept apart from the tests so that the abstention
rule is not fitted to them: every answerable question names the file and words the quote must
hold; every unanswerable one is about a drug the folder has but an attribute its leaflet lacks.
Prints one line per miss and a table: answered right, quoted wrong, abstained wrongly, and the
share of unanswerable questions abstained on. Needs `make store` (the default store).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.service import Assistant  # noqa: E402
from bilge.config import load_config  # noqa: E402

ANSWERABLE: list[tuple[str, str, tuple[str, ...]]] = [
    ("Parasetamolü hangi durumlarda kullanabilirim?", "parasetamol-500.pdf", ("Baş ağrısı", "ağrı kesici")),
    ("Karaciğer hastası olan biri parasetamol kullanabilir mi?", "parasetamol-500.pdf", ("karaciğer hastalığınız",)),
    ("Parasetamol kaç saat arayla alınır?", "parasetamol-500.pdf", ("4-6 saat",)),
    ("Parasetamolün saklama koşulları nelerdir?", "parasetamol-500.pdf", ("25 °C",)),
    ("Parasetamol alırken alkol içilir mi?", "parasetamol-500.pdf", ("alkol",)),
    ("Parasetamolün yan etkileri nelerdir?", "parasetamol-500.pdf", ("deri döküntüsü", "karaciğer hasarı")),
    ("Hamileyken ibuprofen kullanılır mı?", "ibuprofen-400.docx", ("Gebeliğin",)),
    ("İbuprofen aç karnına mı alınır, tok karnına mı?", "ibuprofen-400.docx", ("tok karnına",)),
    ("Astım hastaları ibuprofen kullanabilir mi?", "ibuprofen-400.docx", ("Astım",)),
    ("İbuprofen kullanırken dışkım siyah olursa ne yapmalıyım?", "ibuprofen-400.docx", ("Siyah renkli",)),
    ("Amoksisilin gripte işe yarar mı?", "amoksisilin-500.html", ("işe yaramaz",)),
    ("Amoksisilin doğum kontrol hapının etkisini azaltır mı?", "amoksisilin-500.html", ("Doğum kontrol",)),
    ("İyileştiğimi hissedersem amoksisilini bırakabilir miyim?", "amoksisilin-500.html", ("tamamlayınız",)),
    ("Amoksisilin hangi enfeksiyonlarda kullanılır?", "amoksisilin-500.html", ("boğaz, kulak",)),
    ("Amoksisilin kullanırken dudaklarım şişerse ne yapmalıyım?", "amoksisilin-500.html", ("acil yardım",)),
    ("Omeprazol ne işe yarar?", "omeprazol-20.md", ("asit", "Reflü")),
    ("Omeprazol kapsülü çiğnenebilir mi?", "omeprazol-20.md", ("çiğnenmeden",)),
    ("Omeprazol nasıl saklanmalı?", "omeprazol-20.md", ("Nemden",)),
    ("Omeprazolün yan etkileri neler?", "omeprazol-20.md", ("Baş ağrısı, karın",)),
    ("Böbrek yetmezliği olanlar metformin kullanabilir mi?", "metformin-850.txt", ("böbrek yetmezliğiniz",)),
    ("Metformin yemekle mi alınır?", "metformin-850.txt", ("yemekle",)),
    ("Metformin ile alkol alınır mı?", "metformin-850.txt", ("alkol",)),
    ("Röntgen çektirmeden önce metformine ara vermeli miyim?", "metformin-850.txt", ("röntgen",)),
    ("Metformin kaç derecede saklanır?", "metformin-850.txt", ("30 °C",)),
    ("Setirizin ile araba sürmek tehlikeli midir?", "setirizin-10.pdf", ("araç kullanırken",)),
    ("Setirizin hangi alerjilerde kullanılır?", "setirizin-10.pdf", ("Saman nezlesi",)),
    ("Setirizin günde kaç kez alınır?", "setirizin-10.pdf", ("günde bir kez",)),
    ("Setirizinin yan etkileri nelerdir?", "setirizin-10.pdf", ("Uyku hali, yorgunluk",)),
    ("Salbutamolün saklama koşulları nedir?", "salbutamol-inhaler.docx", ("30 °C",)),
    ("Salbutamol inhaler nasıl kullanılır?", "salbutamol-inhaler.docx", ("püskürt",)),
    ("Salbutamol hangi hastalıklarda kullanılır?", "salbutamol-inhaler.docx", ("Astım",)),
    ("Salbutamol kalp çarpıntısı yapar mı?", "salbutamol-inhaler.docx", ("çarpıntı",)),
    ("Salbutamol inhaleri hangi derecenin altında tutmalıyım?", "salbutamol-inhaler.docx", ("30 °C",)),
    ("Loratadin şurubu kaç yaşından küçüklere verilmez?", "loratadin-surup.html", ("2 yaşından",)),
    ("Loratadin şurubu buzdolabında saklanır mı?", "loratadin-surup.html", ("Buzdolabına",)),
    ("Loratadin uyku yapar mı?", "loratadin-surup.html", ("uyku hali yapmayan",)),
    ("Loratadin şurubu çocuklara ne kadar verilir?", "loratadin-surup.html", ("5 ml",)),
    ("D3 vitamini damlası ne işe yarar?", "d3-vitamini-damla.md", ("kalsiyum", "raşitizm")),
    ("D3 vitamini fazla alınırsa ne olur?", "d3-vitamini-damla.md", ("Aşırı dozda",)),
    ("D3 damlası süte karıştırılabilir mi?", "d3-vitamini-damla.md", ("süt",)),
    ("Böbrek taşı olan biri D3 vitamini kullanabilir mi?", "d3-vitamini-damla.md", ("Böbrek taşı",)),
    ("Naproksen migrende kullanılır mı?", "naproksen-550.txt", ("migren",)),
    ("Naproksen günde kaç kez alınır?", "naproksen-550.txt", ("Günde 2 kez",)),
    ("Naproksenin yan etkileri nelerdir?", "naproksen-550.txt", ("Mide yanması",)),
    ("Yüksek tansiyonu olanlar naproksen kullanabilir mi?", "naproksen-550.txt", ("yüksek tansiyon",)),
]

UNANSWERABLE = [
    "Omeprazol tedavisi en fazla ne kadar sürer?",
    "Metformin kilo aldırır mı?",
    "Setirizin hamilelikte kullanılır mı?",
    "Salbutamol inhalerin içinde kaç doz vardır?",
    "İbuprofen çocuklara kaç mg verilir?",
    "Loratadin şurubu hangi renktedir?",
    "D3 vitamini damlası yetişkinlere kaç damla verilir?",
    "Naproksen kaç yaşından itibaren kullanılabilir?",
    "Parasetamol emzirirken kullanılır mı?",
    "Amoksisilin kaç günde etki eder?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=ROOT / "bilge.toml")
    parser.add_argument("--details", type=Path, help="one JSON record per question")
    args = parser.parse_args()
    assistant = Assistant(load_config(args.config))
    records = []
    for question, source, words in ANSWERABLE:
        result = assistant.answer(question)
        right = (not result.abstained and result.citations[0].file_name == source
                 and any(word in result.quote for word in words))
        outcome = "abstained" if result.abstained else ("right" if right else "wrong")
        records.append({"question": question, "kind": "answerable", "outcome": outcome, "quote": result.quote,
                        "scores": result.scores, "steps": result.steps})
    for question in UNANSWERABLE:
        result = assistant.answer(question)
        outcome = "abstained" if result.abstained else "answered"
        records.append({"question": question, "kind": "unanswerable", "outcome": outcome, "quote": result.quote,
                        "scores": result.scores, "steps": result.steps})
    for record in records:
        if record["outcome"] not in ("right", "abstained") or (
                record["kind"] == "answerable" and record["outcome"] == "abstained"):
            print(f"{record['kind']} {record['outcome']}: {record['question']} | {record['quote'][:70]!r} | "
                  f"{record['steps'][-1]}")
    if args.details:
        args.details.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    answerable = [r["outcome"] for r in records if r["kind"] == "answerable"]
    unanswerable = [r["outcome"] for r in records if r["kind"] == "unanswerable"]
    print("\n| answerable | right | quoted wrong | abstained wrongly | unanswerable | abstained |")
    print("|---:|---:|---:|---:|---:|---:|")
    shares = " | ".join(f"{answerable.count(outcome) / len(answerable):.3f}"
                        for outcome in ("right", "wrong", "abstained"))
    print(f"| {len(answerable)} | {shares} | {len(unanswerable)} | "
          f"{unanswerable.count('abstained') / len(unanswerable):.3f} |")


if __name__ == "__main__":
    main()
