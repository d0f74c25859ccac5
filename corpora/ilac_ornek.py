"""Build `corpora/ilac-ornek/`: ten sample Turkish patient leaflets in five formats.

ÖRNEK BELGELERDİR, TIBBİ TAVSİYE DEĞİLDİR. The texts are written for this project to look like
real leaflets (the usual sections), not copied from any product. Rebuild with
`python -m corpora.ilac_ornek` (the binary formats come out the same each time).
"""

from __future__ import annotations

from pathlib import Path

from corpora.writers import write_document

NOTICE = "Bu metin Bilge projesi için yazılmış bir örnek belgedir; tıbbi tavsiye değildir. İlaç kullanmadan önce doktorunuza veya eczacınıza danışınız."

LEAFLETS: dict[str, tuple[str, list[tuple[str, list[str]]]]] = {
    "parasetamol-500.pdf": ("Parasetamol 500 mg Tablet — Kullanma Talimatı (örnek)", [
        ("Parasetamol nedir ve ne için kullanılır?", [
            NOTICE,
            "Parasetamol ağrı kesici ve ateş düşürücü bir ilaçtır. Baş ağrısı, diş ağrısı, kas ağrısı ve soğuk algınlığına bağlı ateşin tedavisinde kullanılır.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Ciddi karaciğer hastalığınız varsa parasetamol kullanmayınız.",
            "Düzenli alkol kullanıyorsanız karaciğer hasarı riski artar; doktorunuza danışınız.",
            "Parasetamol içeren başka bir ilaçla birlikte kullanmayınız, aksi halde doz aşımı olabilir.",
        ]),
        ("Nasıl kullanılır?", [
            "Yetişkinlerde önerilen doz, 4-6 saat arayla 1-2 tablettir.",
            "Günde 8 tabletten (4 gram) fazla almayınız. Tabletler bir bardak su ile yutulur.",
        ]),
        ("Olası yan etkiler", [
            "Seyrek olarak deri döküntüsü, kaşıntı ve alerjik reaksiyonlar görülebilir.",
            "Yüksek dozlarda karaciğer hasarı oluşabilir. Sarılık fark ederseniz ilacı bırakıp doktora başvurunuz.",
        ]),
        ("Saklama", [
            "25 °C altındaki oda sıcaklığında, kuru bir yerde saklayınız. Çocukların göremeyeceği ve erişemeyeceği yerde tutunuz.",
        ]),
    ]),
    "ibuprofen-400.docx": ("İbuprofen 400 mg Film Tablet — Kullanma Talimatı (örnek)", [
        ("İbuprofen nedir ve ne için kullanılır?", [
            NOTICE,
            "İbuprofen, steroid olmayan iltihap giderici (NSAİİ) bir ilaçtır. Ağrı, ateş ve eklem iltihabı gibi durumlarda kullanılır.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Mide veya onikiparmak bağırsağı ülseriniz varsa ibuprofen kullanmayınız.",
            "Gebeliğin son üç ayında kullanılmamalıdır.",
            "Astımınız varsa bu ilaç nefes darlığını artırabilir.",
        ]),
        ("Nasıl kullanılır?", [
            "Yetişkinlerde günde 3 kez 1 tablet, tok karnına alınır.",
            "Günlük doz 1200 mg'ı geçmemelidir.",
        ]),
        ("Olası yan etkiler", [
            "En sık görülen yan etkiler mide ağrısı, hazımsızlık ve bulantıdır.",
            "Siyah renkli dışkı mide kanamasının belirtisi olabilir; bu durumda ilacı bırakıp hemen doktora başvurunuz.",
        ]),
        ("Saklama", [
            "30 °C altındaki oda sıcaklığında, ambalajında saklayınız.",
        ]),
    ]),
    "amoksisilin-500.html": ("Amoksisilin 500 mg Kapsül — Kullanma Talimatı (örnek)", [
        ("Amoksisilin nedir ve ne için kullanılır?", [
            NOTICE,
            "Amoksisilin, penisilin grubundan bir antibiyotiktir. Bakterilerin neden olduğu boğaz, kulak, idrar yolu ve solunum yolu enfeksiyonlarında kullanılır.",
            "Antibiyotikler grip ve soğuk algınlığı gibi virüs enfeksiyonlarında işe yaramaz.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Penisiline alerjiniz varsa amoksisilin kullanmayınız.",
            "Doğum kontrol hapı kullanıyorsanız ilacın etkisi azalabilir; ek bir yöntem kullanınız.",
        ]),
        ("Nasıl kullanılır?", [
            "Genellikle 8 saatte bir 1 kapsül alınır.",
            "Kendinizi iyi hissetseniz bile tedaviyi doktorunuzun söylediği süre boyunca tamamlayınız.",
        ]),
        ("Olası yan etkiler", [
            "İshal, bulantı ve deride kızarıklık görülebilir.",
            "Yüzde, dudaklarda ve boğazda şişlik ciddi bir alerji belirtisidir; acil yardım alınız.",
        ]),
        ("Saklama", [
            "25 °C altındaki oda sıcaklığında saklayınız. Son kullanma tarihi geçmiş ilaçları kullanmayınız.",
        ]),
    ]),
    "omeprazol-20.md": ("Omeprazol 20 mg Kapsül — Kullanma Talimatı (örnek)", [
        ("Omeprazol nedir ve ne için kullanılır?", [
            NOTICE,
            "Omeprazol, midede üretilen asit miktarını azaltan bir proton pompası inhibitörüdür. Reflü, mide ekşimesi ve mide ülseri tedavisinde kullanılır.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Uzun süreli kullanımda B12 vitamini ve magnezyum düzeyleri düşebilir.",
            "Açıklanamayan kilo kaybı veya yutma güçlüğü varsa önce doktorunuza başvurunuz.",
        ]),
        ("Nasıl kullanılır?", [
            "Günde bir kez, sabah kahvaltıdan önce aç karnına 1 kapsül alınır.",
            "Kapsül çiğnenmeden bütün olarak yutulmalıdır.",
        ]),
        ("Olası yan etkiler", [
            "Baş ağrısı, karın ağrısı, kabızlık, ishal ve gaz sık görülen yan etkilerdir.",
        ]),
        ("Saklama", [
            "Nemden korumak için kapsülleri şişesinde, kapağı sıkıca kapalı saklayınız.",
        ]),
    ]),
    "metformin-850.txt": ("Metformin 850 mg Tablet — Kullanma Talimatı (örnek)", [
        ("Metformin nedir ve ne için kullanılır?", [
            NOTICE,
            "Metformin, tip 2 diyabette kan şekerini düşürmek için kullanılan bir ilaçtır. Diyet ve egzersizle birlikte kullanılır.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Ciddi böbrek yetmezliğiniz varsa metformin kullanmayınız.",
            "İlaçlı röntgen çekimi (kontrast madde) öncesinde ilaca ara vermeniz gerekebilir.",
            "Aşırı alkol tüketimi laktik asidoz riskini artırır.",
        ]),
        ("Nasıl kullanılır?", [
            "Başlangıçta günde 1 tablet, yemekle birlikte veya yemekten hemen sonra alınır.",
            "Doktorunuz dozu kan şekerinize göre kademeli olarak artırabilir.",
        ]),
        ("Olası yan etkiler", [
            "Bulantı, kusma, ishal, karın ağrısı ve iştah kaybı tedavinin başında sık görülür.",
            "Ağızda metalik tat hissi olabilir.",
        ]),
        ("Saklama", [
            "30 °C altındaki oda sıcaklığında saklayınız.",
        ]),
    ]),
    "setirizin-10.pdf": ("Setirizin 10 mg Film Tablet — Kullanma Talimatı (örnek)", [
        ("Setirizin nedir ve ne için kullanılır?", [
            NOTICE,
            "Setirizin bir antihistaminiktir. Saman nezlesi, alerjik nezle ve kurdeşen gibi alerjik durumların belirtilerini hafifletir.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Ciddi böbrek hastalığınız varsa doz azaltılmalıdır.",
            "Uyku hali yapabileceğinden araç kullanırken dikkatli olunuz.",
        ]),
        ("Nasıl kullanılır?", [
            "Yetişkinlerde ve 12 yaşından büyük çocuklarda günde bir kez 1 tablet alınır.",
        ]),
        ("Olası yan etkiler", [
            "Uyku hali, yorgunluk, ağız kuruluğu ve baş ağrısı görülebilir.",
        ]),
        ("Saklama", [
            "25 °C altındaki oda sıcaklığında saklayınız.",
        ]),
    ]),
    "salbutamol-inhaler.docx": ("Salbutamol 100 mikrogram İnhaler — Kullanma Talimatı (örnek)", [
        ("Salbutamol nedir ve ne için kullanılır?", [
            NOTICE,
            "Salbutamol, hava yollarını genişleten bir bronkodilatördür. Astım ve KOAH'ta nefes darlığı ataklarını hızla rahatlatır.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Kalp ritim bozukluğunuz veya aşırı çalışan tiroid beziniz varsa doktorunuza söyleyiniz.",
            "İnhalerinizi her zamankinden sık kullanma ihtiyacı duyuyorsanız astımınız kötüleşiyor olabilir.",
        ]),
        ("Nasıl kullanılır?", [
            "Nefes darlığında 1-2 püskürtme yapılır. Kapağı çıkarın, inhaleri çalkalayın ve derin bir nefes alırken püskürtün.",
            "24 saatte 8 püskürtmeden fazlasını kullanmayınız.",
        ]),
        ("Olası yan etkiler", [
            "Titreme, çarpıntı ve baş ağrısı görülebilir.",
        ]),
        ("Saklama", [
            "30 °C altında saklayınız. Kutu basınçlıdır: delmeyiniz ve ateşe atmayınız.",
        ]),
    ]),
    "loratadin-surup.html": ("Loratadin 5 mg/5 ml Şurup — Kullanma Talimatı (örnek)", [
        ("Loratadin nedir ve ne için kullanılır?", [
            NOTICE,
            "Loratadin uyku hali yapmayan bir antihistaminiktir. Çocuklarda alerjik nezle ve kaşıntılı deri döküntülerinde kullanılır.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "2 yaşından küçük çocuklarda kullanımı önerilmez.",
            "Ciddi karaciğer hastalığında doz azaltılmalıdır.",
        ]),
        ("Nasıl kullanılır?", [
            "2-12 yaş arası ve 30 kilogramın altındaki çocuklarda günde bir kez 5 ml şurup verilir.",
            "Ölçek kaşığı ile ölçünüz; ev kaşıkları doğru miktarı vermez.",
        ]),
        ("Olası yan etkiler", [
            "Çocuklarda baş ağrısı, sinirlilik ve yorgunluk görülebilir.",
        ]),
        ("Saklama", [
            "Şişe açıldıktan sonra 1 ay içinde kullanınız. Buzdolabına koymayınız.",
        ]),
    ]),
    "d3-vitamini-damla.md": ("D3 Vitamini 400 IU Damla — Kullanma Talimatı (örnek)", [
        ("D3 vitamini nedir ve ne için kullanılır?", [
            NOTICE,
            "D3 vitamini (kolekalsiferol) kemiklerin kalsiyumu kullanmasına yardım eder. Bebeklerde raşitizmin önlenmesinde ve D vitamini eksikliğinde kullanılır.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Kanınızda kalsiyum düzeyi yüksekse kullanmayınız.",
            "Böbrek taşı öykünüz varsa doktorunuza danışınız.",
        ]),
        ("Nasıl kullanılır?", [
            "Bebeklerde günde 1 damla (400 IU) ağızdan verilir; damla bir kaşık süt veya suya karıştırılabilir.",
        ]),
        ("Olası yan etkiler", [
            "Önerilen dozda yan etki beklenmez. Aşırı dozda bulantı, kabızlık, aşırı susama ve sık idrara çıkma görülebilir.",
        ]),
        ("Saklama", [
            "Işıktan koruyarak, 25 °C altındaki oda sıcaklığında saklayınız.",
        ]),
    ]),
    "naproksen-550.txt": ("Naproksen Sodyum 550 mg Tablet — Kullanma Talimatı (örnek)", [
        ("Naproksen nedir ve ne için kullanılır?", [
            NOTICE,
            "Naproksen, iltihap giderici ve ağrı kesici bir ilaçtır. Adet sancısı, migren atakları, eklem ve kas ağrılarında kullanılır.",
        ]),
        ("Kullanmadan önce dikkat edilmesi gerekenler", [
            "Kalp yetmezliği, yüksek tansiyon veya mide kanaması geçirdiyseniz doktorunuza danışınız.",
            "Kan sulandırıcı ilaçlarla birlikte kanama riski artar.",
        ]),
        ("Nasıl kullanılır?", [
            "Günde 2 kez 1 tablet, yemekle birlikte alınır.",
            "En düşük etkili doz, en kısa süre kullanılmalıdır.",
        ]),
        ("Olası yan etkiler", [
            "Mide yanması, bulantı, baş dönmesi ve ayak bileklerinde şişlik görülebilir.",
        ]),
        ("Saklama", [
            "25 °C altındaki oda sıcaklığında, nemden uzak saklayınız.",
        ]),
    ]),
}

LEGACY_ENCODED = {"naproksen-550.txt": "cp1254"}
"""One file is kept in Windows-1254, as old Turkish text files often are, to show the repair."""


def build(folder: Path) -> list[Path]:
    from corpora.writers import write_txt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (title, sections) in LEAFLETS.items():
        path = folder / name
        if name in LEGACY_ENCODED:
            write_txt(path, title, sections, encoding=LEGACY_ENCODED[name])
        else:
            write_document(path, title, sections)
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in build(Path(__file__).resolve().parent / "ilac-ornek"):
        print(written_path)
