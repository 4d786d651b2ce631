//! A table of common Japanese family and given names with their readings,
//! for demo data and benchmarks: every generated person has a consistent
//! (kanji, kana, romaji) triple — the romaji is derived from the kana, so
//! the three always agree. (The `fake` crate has names but no readings.)

use wana_kana::ConvertJapanese;

/// Common family names: (written, reading in hiragana).
pub const FAMILY: &[(&str, &str)] = &[
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("伊藤", "いとう"),
    ("渡辺", "わたなべ"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山田", "やまだ"),
    ("佐々木", "ささき"),
    ("山口", "やまぐち"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
    ("木村", "きむら"),
    ("林", "はやし"),
    ("斎藤", "さいとう"),
    ("清水", "しみず"),
    ("山崎", "やまざき"),
    ("森", "もり"),
    ("池田", "いけだ"),
    ("橋本", "はしもと"),
    ("阿部", "あべ"),
    ("石川", "いしかわ"),
    ("山下", "やました"),
    ("中島", "なかじま"),
    ("石井", "いしい"),
    ("小川", "おがわ"),
    ("前田", "まえだ"),
    ("岡田", "おかだ"),
    ("長谷川", "はせがわ"),
    ("藤田", "ふじた"),
    ("後藤", "ごとう"),
    ("近藤", "こんどう"),
    ("村上", "むらかみ"),
    ("遠藤", "えんどう"),
    ("青木", "あおき"),
    ("坂本", "さかもと"),
    ("斉藤", "さいとう"),
    ("福田", "ふくだ"),
    ("太田", "おおた"),
    ("西村", "にしむら"),
    ("藤井", "ふじい"),
    ("金子", "かねこ"),
    ("岡本", "おかもと"),
    ("藤原", "ふじわら"),
    ("中野", "なかの"),
    ("三浦", "みうら"),
    ("原田", "はらだ"),
    ("中川", "なかがわ"),
    ("松田", "まつだ"),
    ("竹内", "たけうち"),
    ("小野", "おの"),
    ("田村", "たむら"),
    ("中山", "なかやま"),
    ("和田", "わだ"),
    ("石田", "いしだ"),
    ("森田", "もりた"),
    ("上田", "うえだ"),
    ("原", "はら"),
    ("内田", "うちだ"),
    ("柴田", "しばた"),
    ("酒井", "さかい"),
    ("宮崎", "みやざき"),
    ("横山", "よこやま"),
    ("高木", "たかぎ"),
    ("安藤", "あんどう"),
    ("宮本", "みやもと"),
    ("大野", "おおの"),
    ("小島", "こじま"),
    ("谷口", "たにぐち"),
    ("今井", "いまい"),
    ("工藤", "くどう"),
    ("高田", "たかだ"),
    ("増田", "ますだ"),
    ("丸山", "まるやま"),
    ("杉山", "すぎやま"),
    ("村田", "むらた"),
    ("大塚", "おおつか"),
    ("新井", "あらい"),
    ("小山", "こやま"),
    ("平野", "ひらの"),
    ("藤本", "ふじもと"),
    ("河野", "こうの"),
    ("上野", "うえの"),
    ("野口", "のぐち"),
    ("武田", "たけだ"),
    ("松井", "まつい"),
    ("千葉", "ちば"),
    ("菅原", "すがわら"),
    ("岩崎", "いわさき"),
    ("木下", "きのした"),
    ("久保", "くぼ"),
    ("野村", "のむら"),
    ("松尾", "まつお"),
    ("菊地", "きくち"),
    ("杉本", "すぎもと"),
    ("髙橋", "たかはし"),
];

/// Common given names: (written, reading in hiragana).
pub const GIVEN: &[(&str, &str)] = &[
    ("仁志", "ひとし"),
    ("翔太", "しょうた"),
    ("大輔", "だいすけ"),
    ("健太", "けんた"),
    ("拓也", "たくや"),
    ("直樹", "なおき"),
    ("誠", "まこと"),
    ("浩二", "こうじ"),
    ("隆", "たかし"),
    ("剛", "つよし"),
    ("悠斗", "ゆうと"),
    ("蓮", "れん"),
    ("陽翔", "はると"),
    ("湊", "みなと"),
    ("大和", "やまと"),
    ("和也", "かずや"),
    ("亮", "りょう"),
    ("学", "まなぶ"),
    ("修", "おさむ"),
    ("健一", "けんいち"),
    ("一郎", "いちろう"),
    ("裕太", "ゆうた"),
    ("智也", "ともや"),
    ("雄介", "ゆうすけ"),
    ("慎吾", "しんご"),
    ("達也", "たつや"),
    ("洋平", "ようへい"),
    ("哲也", "てつや"),
    ("秀樹", "ひでき"),
    ("康弘", "やすひろ"),
    ("美咲", "みさき"),
    ("花子", "はなこ"),
    ("陽子", "ようこ"),
    ("恵", "めぐみ"),
    ("愛", "あい"),
    ("由美", "ゆみ"),
    ("真由美", "まゆみ"),
    ("久美子", "くみこ"),
    ("直美", "なおみ"),
    ("智子", "ともこ"),
    ("結衣", "ゆい"),
    ("陽菜", "ひな"),
    ("葵", "あおい"),
    ("凛", "りん"),
    ("さくら", "さくら"),
    ("彩", "あや"),
    ("麻衣", "まい"),
    ("優子", "ゆうこ"),
    ("裕子", "ゆうこ"),
    ("明美", "あけみ"),
    ("典子", "のりこ"),
    ("幸子", "さちこ"),
    ("千尋", "ちひろ"),
    ("瑞穂", "みずほ"),
    ("香織", "かおり"),
    ("沙織", "さおり"),
    ("奈々", "なな"),
    ("舞", "まい"),
    ("理恵", "りえ"),
    ("美穂", "みほ"),
    ("健", "けん"),
    ("俊介", "しゅんすけ"),
    ("純一", "じゅんいち"),
    ("正樹", "まさき"),
    ("光", "ひかる"),
    ("翼", "つばさ"),
    ("颯", "はやて"),
    ("樹", "いつき"),
    ("涼子", "りょうこ"),
    ("早紀", "さき"),
];

/// One person's name in all three forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub family: &'static str,
    pub given: &'static str,
    pub family_kana: &'static str,
    pub given_kana: &'static str,
    /// Derived from the kana (Hepburn, long vowels spelt out: `oono`).
    pub family_romaji: String,
    pub given_romaji: String,
}

/// The romaji people write their name in, from its reading: Hepburn as
/// wana_kana spells it, without the apostrophe it puts after ん before a
/// vowel (けんいち → `kenichi`, as on a passport).
pub fn romaji_of(kana: &str) -> String {
    kana.to_romaji().replace('\'', "")
}

/// SplitMix64: a fast, well-mixed, reproducible sequence for demo data.
pub fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `n`th generated person: the same `n` always gives the same name.
pub fn person(n: u64) -> Name {
    let r = mix(n);
    let (family, family_kana) = FAMILY[(r % FAMILY.len() as u64) as usize];
    let (given, given_kana) = GIVEN[((r >> 32) % GIVEN.len() as u64) as usize];
    Name {
        family,
        given,
        family_kana,
        given_kana,
        family_romaji: romaji_of(family_kana),
        given_romaji: romaji_of(given_kana),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_hiragana(s: &str) -> bool {
        !s.is_empty() && s.chars().all(|c| ('\u{3041}'..='\u{3096}').contains(&c))
    }

    #[test]
    fn every_reading_is_hiragana_and_survives_the_round_trip() {
        for (written, kana) in FAMILY.iter().chain(GIVEN) {
            assert!(!written.is_empty() && is_hiragana(kana), "{written} {kana}");
            // the strict spelling reads back to the same kana: the reading is well-formed
            let strict = kana.to_romaji();
            assert_eq!(
                strict.to_hiragana(),
                *kana,
                "{written}: {kana} → {strict} → back"
            );
            let romaji = romaji_of(kana);
            assert!(
                romaji.chars().all(|c| c.is_ascii_lowercase()),
                "{kana} → {romaji}"
            );
        }
    }

    #[test]
    fn people_are_reproducible_and_varied() {
        assert_eq!(person(42), person(42));
        let mut seen = std::collections::HashSet::new();
        for n in 0..5_000 {
            let p = person(n);
            seen.insert((p.family, p.given));
        }
        assert!(seen.len() > 2_000, "{} distinct names", seen.len());
        let suzuki = (0..10_000)
            .map(person)
            .find(|p| p.family == "鈴木" && p.given == "仁志")
            .expect("鈴木 仁志 appears");
        assert_eq!(
            (suzuki.family_romaji.as_str(), suzuki.given_romaji.as_str()),
            ("suzuki", "hitoshi")
        );
        assert_eq!(romaji_of("けんいち"), "kenichi");
    }
}
