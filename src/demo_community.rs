//! The community's demo parts. [`load`]: 40 more members (alumni of every
//! era and some current staff, with generated profiles), company news of
//! each audience (one pinned), 240 posts over the last four months,
//! comments with replies, and reactions. [`load_groups`]: groups of every
//! category, access and space (and one proposal waiting for a moderator),
//! with members and posts. Deterministic: the same database gets the same
//! community.

use enishi_core::names::mix;
use enishi_core::networks::Kind;
use enishi_store::accounts::{self, NewAccount};
use enishi_store::groups::{self, NewGroup};
use enishi_store::posts::{self, NewComment, NewPost};
use enishi_store::{Db, StoreError, memberships, networks, now_ms, profiles};

use crate::demo::{NETWORK_SLUG, generated_person};

/// Members the part adds (they post and comment; they cannot sign in).
const MEMBERS: u64 = 40;
/// Member posts spread over the last [`DAYS`] days.
const POSTS: u64 = 240;
const DAYS: u64 = 120;

const POST_TEXTS: &[&str] = &[
    "ご無沙汰しています！{dept}にいた頃の同期で集まりませんか？ 来月あたりで調整したいです。",
    "転職して3年、ようやく新しい職場にも慣れました。{dept}で学んだことが今も一番役に立っています。",
    "**副業で{skill}の相談に乗れます。** 業務委託のお話があればぜひ声をかけてください。",
    "久しぶりに本社の近くを通ったら、あの定食屋がまだありました。懐かしい…",
    "{skill}の勉強会を月1回オンラインで開いています。アルムナイの方ならどなたでも歓迎です。",
    "子どもが生まれて育休中です。落ち着いたら{dept}のみなさんに会いに行きたいです。",
    "独立して会社を立ち上げました。{skill}まわりで何かご一緒できればうれしいです。",
    "当時の{dept}の先輩にキャリアの相談をしたいのですが、メンタリングしてくださる方はいますか？",
    "本日で入社してちょうど{years}年でした。辞めてからのほうが会社のことをよく考えている気がします。",
    "海外赴任から戻りました。英語と{skill}が必要な案件があればお手伝いできます。",
    "出戻りを考えています。戻った方の体験談を聞かせてもらえませんか？",
    "新しいチームで{skill}のメンバーを探しています。興味があればDMください。",
    "先日の交流会、ありがとうございました！ 久しぶりに話せて元気が出ました。",
    "昔の社内報を整理していたら、{year}年の運動会の写真が出てきました。",
    "- {skill}\n- プロジェクト管理\n- 採用\n\nこのあたりで情報交換できる方を探しています。",
    "地方に移住してリモートで働いています。{place}に来ることがあれば声をかけてください。",
];

const COMMENT_TEXTS: &[&str] = &[
    "いいですね、ぜひ参加したいです！",
    "懐かしい！ 私も{dept}にいました。",
    "おめでとうございます🎉",
    "詳しく聞かせてください。DMします。",
    "ありがとうございます、参考になります。",
    "その節はお世話になりました。",
    "私も同じことを考えていました。",
    "ぜひ今度お茶しましょう。",
];

const NEWS: &[(&str, &str, &str, bool)] = &[
    (
        "アルムナイ・ネットワークを開設しました",
        "サンプル商事を卒業したみなさん、いま働く社員のみなさん、ようこそ。\n\nこのネットワークでは、**名簿**で懐かしい仲間を探したり、近況を投稿したり、イベントや仕事の機会を知ることができます。\n\n- プロフィールの公開範囲はご自身で決められます\n- 連絡先が自動で共有されることはありません\n\nガイドラインを守って、気持ちよくご利用ください。",
        "everyone",
        true,
    ),
    (
        "OB・OG限定：2027年 新年交流会のご案内",
        "アルムナイのみなさん限定の新年交流会を1月に開催します。年次をまたいだテーブルを用意しますので、おひとりでもお気軽にどうぞ。詳細はイベントページで近日公開します。",
        "alumni",
        false,
    ),
    (
        "社員のみなさんへ：アルムナイからの紹介について",
        "アルムナイの方からの紹介（推薦採用）は人事部が窓口です。ご紹介の相談を受けたら、人事部までお知らせください。",
        "staff",
        false,
    ),
    (
        "2026年度 事業説明会（オンライン）",
        "今年度の事業の取り組みと、アルムナイのみなさんにお願いしたいプロジェクトについてご説明します。",
        "everyone",
        false,
    ),
];

fn fill(text: &str, r: u64) -> String {
    const DEPTS: &[&str] = &["営業本部", "開発本部", "人事部", "データ分析部", "広報部"];
    const SKILLS: &[&str] = &["SQL", "法人営業", "採用", "UXリサーチ", "会計", "Rust"];
    const PLACES: &[&str] = &["福岡", "札幌", "京都", "松本", "高知"];
    text.replace("{dept}", DEPTS[(r % DEPTS.len() as u64) as usize])
        .replace("{skill}", SKILLS[((r >> 8) % SKILLS.len() as u64) as usize])
        .replace(
            "{place}",
            PLACES[((r >> 16) % PLACES.len() as u64) as usize],
        )
        .replace("{years}", &(3 + (r >> 24) % 25).to_string())
        .replace("{year}", &(1985 + (r >> 32) % 30).to_string())
}

/// Loads the part (see the module's doc).
pub async fn load(db: &Db) -> Result<(), StoreError> {
    let Some(network) = networks::by_slug(db, NETWORK_SLUG).await? else {
        return Ok(());
    };
    let net = network.scope();
    let consent = memberships::Consent {
        purposes_version: network.purposes_version,
        guidelines_version: network.guidelines_version,
        ip: None,
    };
    let mut authors = Vec::new();
    for i in 0..MEMBERS {
        let person = generated_person(90_000 + i);
        let email = format!("member{i}@demo.enishi.invalid");
        let account = match accounts::by_verified_email(db, &email).await? {
            Some(a) => a,
            None => {
                accounts::create(
                    db,
                    &NewAccount {
                        display_name: &person.display_name,
                        email: &email,
                        email_verified: true,
                        lang: "ja",
                        time_zone: enishi_core::tz::DEFAULT,
                        is_operator: false,
                    },
                )
                .await?
            }
        };
        let kind = if i % 5 == 4 {
            Kind::Employee
        } else {
            Kind::Alumni
        };
        memberships::join(
            db,
            net,
            &memberships::NewMembership {
                account_id: account.id,
                role: "member",
                kind: kind.as_str(),
                status: "active",
                note: None,
            },
            &consent,
        )
        .await?;
        if let Some(stored) = profiles::of_account(db, net, account.id).await? {
            let stints = person.profile.stints.clone();
            profiles::save(
                db,
                net,
                stored.id,
                &person.profile,
                profiles::StintsChange::Hr(stints),
            )
            .await?;
        }
        authors.push(account.id);
    }
    // the named people write too
    for (_, email, _, _) in crate::demo::PEOPLE {
        if let Some(a) = accounts::by_verified_email(db, email).await? {
            authors.push(a.id);
        }
    }
    let owner = accounts::by_verified_email(db, "owner@demo.enishi.invalid").await?;
    let now = now_ms();
    let day = 86_400_000_i64;
    if let Some(owner) = owner {
        for (i, (title, body, audience, pin)) in NEWS.iter().enumerate() {
            let at = now - (i as i64 * 9 + 2) * day;
            let new = NewPost {
                html: &enishi_web::markdown::render(body),
                group_id: None,
                kind: "news",
                author_id: owner.id,
                title,
                body,
                audience,
                once_key: None,
                held: false,
                image: None,
            };
            let (id, _) = posts::create(db, net, &new, at).await?;
            if *pin {
                posts::set_pinned(db, net, id, Some(at)).await?;
            }
        }
    }
    let reactions = enishi_core::posts::Reaction::ALL;
    for n in 0..POSTS {
        let r = mix(n ^ 0xFEED);
        let author = authors[(r % authors.len() as u64) as usize];
        let at = now - ((r >> 8) % (DAYS * 86_400)) as i64 * 1000;
        let body = fill(
            POST_TEXTS[((r >> 20) % POST_TEXTS.len() as u64) as usize],
            r >> 3,
        );
        let new = NewPost {
            html: &enishi_web::markdown::render(&body),
            group_id: None,
            kind: "post",
            author_id: author,
            title: "",
            body: &body,
            audience: "everyone",
            once_key: None,
            held: false,
            image: None,
        };
        let (post_id, _) = posts::create(db, net, &new, at).await?;
        let comments = (r >> 40) % 4;
        let mut first = None;
        for c in 0..comments {
            let rc = mix(r ^ (c + 1));
            let text = fill(
                COMMENT_TEXTS[(rc % COMMENT_TEXTS.len() as u64) as usize],
                rc >> 5,
            );
            let new = NewComment {
                html: &enishi_web::markdown::render(&text),
                post_id,
                // every other later comment answers the first
                reply_to: if c % 2 == 1 { first } else { None },
                author_id: authors[((rc >> 12) % authors.len() as u64) as usize],
                body: &text,
                once_key: None,
            };
            let at = at + (c as i64 + 1) * 3_600_000;
            if let posts::Added::Created(id) = posts::add_comment(db, net, &new, at).await? {
                first = first.or(Some(id));
            }
        }
        for k in 0..(r >> 48) % 6 {
            let rk = mix(r ^ (k + 100));
            posts::react(
                db,
                net,
                post_id,
                authors[(rk % authors.len() as u64) as usize],
                reactions[((rk >> 10) % reactions.len() as u64) as usize].as_str(),
                true,
                at + 60_000,
            )
            .await?;
        }
    }
    Ok(())
}

/// (name, category, access, space, status, owner's address, description)
type DemoGroup = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const GROUPS: &[DemoGroup] = &[
    (
        "2009年入社 同期会",
        "era",
        "open",
        "shared",
        "active",
        crate::demo::ALUMNUS_EMAIL,
        "2009年4月入社の同期のグループです。近況や集まりの相談に。",
    ),
    (
        "営業本部 OB・OG会",
        "department",
        "request",
        "alumni",
        "active",
        "moderator@demo.enishi.invalid",
        "営業本部にいたアルムナイだけの場です。**人事・社員は読めません。**",
    ),
    (
        "関西アルムナイ",
        "region",
        "open",
        "shared",
        "active",
        "suzuki@demo.enishi.invalid",
        "大阪・京都・神戸あたりに住むアルムナイと社員のグループ。",
    ),
    (
        "ランニング部",
        "interest",
        "open",
        "shared",
        "active",
        "tanaka@demo.enishi.invalid",
        "皇居ラン、毎週水曜19時。",
    ),
    (
        "アルムナイ起業家の会",
        "interest",
        "request",
        "alumni",
        "active",
        "moderator@demo.enishi.invalid",
        "起業・独立したアルムナイの情報交換。",
    ),
    (
        "次回交流会 幹事チーム",
        "interest",
        "hidden",
        "shared",
        "active",
        "owner@demo.enishi.invalid",
        "招待制。次回のアルムナイ交流会の準備。",
    ),
    (
        "人事・採用チーム連絡",
        "department",
        "hidden",
        "staff",
        "active",
        "admin@demo.enishi.invalid",
        "社員のみ。アルムナイ採用の連絡用。",
    ),
    (
        "写真部",
        "interest",
        "open",
        "shared",
        "proposed",
        "suzuki@demo.enishi.invalid",
        "撮った写真を見せ合いましょう（提案中）。",
    ),
];

const GROUP_POSTS: &[&str] = &[
    "はじめまして！ このグループに参加しました。",
    "今度の週末、集まれる人はいますか？",
    "近況報告です。新しい仕事にも慣れてきました。",
    "先日はありがとうございました。また企画しましょう。",
];

/// Loads the groups part (see the module's doc).
pub async fn load_groups(db: &Db) -> Result<(), StoreError> {
    let Some(network) = networks::by_slug(db, NETWORK_SLUG).await? else {
        return Ok(());
    };
    let net = network.scope();
    let now = now_ms();
    let day = 86_400_000_i64;
    let mut members = Vec::new();
    for i in 0..MEMBERS {
        let email = format!("member{i}@demo.enishi.invalid");
        if let Some(a) = accounts::by_verified_email(db, &email).await?
            && let Some(m) = memberships::of_account(db, net, a.id).await?
        {
            members.push((a.id, Kind::parse(&m.kind).unwrap_or(Kind::Alumni)));
        }
    }
    for (n, (name, category, access, space, status, owner, description)) in
        GROUPS.iter().enumerate()
    {
        let Some(owner) = accounts::by_verified_email(db, owner).await? else {
            continue;
        };
        let at = now - (60 - n as i64 * 5) * day;
        let id = groups::create(
            db,
            net,
            &NewGroup {
                name,
                description,
                category,
                access,
                space,
                status,
                creator: owner.id,
            },
            at,
        )
        .await?;
        if *status != "active" {
            continue;
        }
        let space =
            enishi_core::groups::Space::parse(space).unwrap_or(enishi_core::groups::Space::Shared);
        let mut joined = vec![owner.id];
        for (k, (account, kind)) in members.iter().enumerate() {
            let r = mix((n as u64) << 32 | k as u64);
            if !space.admits(*kind) || !r.is_multiple_of(3) {
                continue;
            }
            // a few ask to join by-request groups and wait
            let standing = if *access == "request" && r.is_multiple_of(5) {
                "requested"
            } else {
                "member"
            };
            groups::set_standing(db, net, id, *account, standing, at + day).await?;
            if standing == "member" {
                joined.push(*account);
            }
        }
        for (k, text) in GROUP_POSTS.iter().enumerate() {
            let author = joined[mix((n * 10 + k) as u64) as usize % joined.len()];
            let new = NewPost {
                html: &enishi_web::markdown::render(text),
                group_id: Some(id),
                kind: "post",
                author_id: author,
                title: "",
                body: text,
                audience: "everyone",
                once_key: None,
                held: false,
                image: None,
            };
            posts::create(db, net, &new, at + (k as i64 + 2) * day).await?;
        }
    }
    Ok(())
}

/// Conversations: the demo alumnus (鈴木, the README's account) with a few members, one
/// with HR, and a group conversation of a 同期 cohort; some left unread.
/// (who is in it by address, the first writes first; its title; lines as
/// (index of the writer, text)).
type DemoConversation = (
    &'static [&'static str],
    &'static str,
    &'static [(usize, &'static str)],
);

const CONVERSATIONS: &[DemoConversation] = &[
    (
        &["suzuki@demo.enishi.invalid", "member3@demo.enishi.invalid"],
        "",
        &[
            (
                1,
                "鈴木さん、お久しぶりです！フィードで近況を拝見しました。",
            ),
            (
                0,
                "ありがとうございます！データ分析のお仕事、まだ続けていらっしゃるんですね。",
            ),
            (1, "はい。今度、出戻りの件で少しご相談してもいいですか？"),
            (0, "もちろんです。来週どこかでお茶しましょう。"),
            (1, "助かります。候補日を送りますね。"),
        ],
    ),
    (
        &["owner@demo.enishi.invalid", "suzuki@demo.enishi.invalid"],
        "",
        &[
            (
                0,
                "鈴木さん、アルムナイネットワークへのご参加ありがとうございます。人事の人事です。",
            ),
            (
                0,
                "12月の交流会で、卒業生のビジネス紹介枠を設ける予定です。ご興味があればお知らせください。",
            ),
        ],
    ),
    (
        &[
            "member7@demo.enishi.invalid",
            "suzuki@demo.enishi.invalid",
            "member11@demo.enishi.invalid",
            "member15@demo.enishi.invalid",
            "member19@demo.enishi.invalid",
        ],
        "2015年入社 同期",
        &[
            (0, "同期のみなさん、年末に集まりませんか？"),
            (2, "いいですね！金曜の夜なら参加できます。"),
            (1, "賛成です。お店の候補、探してみます。"),
            (3, "久しぶりに会えるの楽しみです。"),
            (4, "幹事手伝います！"),
        ],
    ),
    (
        &["member12@demo.enishi.invalid", "suzuki@demo.enishi.invalid"],
        "",
        &[(
            0,
            "はじめまして。マーケティング部にいた者です。勉強会の資料、参考になりました。",
        )],
    ),
];

/// Demo conversations (see [`CONVERSATIONS`]).
pub async fn load_messages(db: &Db) -> Result<(), StoreError> {
    use enishi_store::messages::{self, NewMessage};
    let Some(network) = networks::by_slug(db, NETWORK_SLUG).await? else {
        return Ok(());
    };
    let net = network.scope();
    let now = now_ms();
    let hour = 3_600_000_i64;
    let alumnus = accounts::by_verified_email(db, "suzuki@demo.enishi.invalid").await?;
    for (n, (people, title, lines)) in CONVERSATIONS.iter().enumerate() {
        let mut ids = Vec::new();
        for email in *people {
            if let Some(a) = accounts::by_verified_email(db, email).await? {
                ids.push(a.id);
            }
        }
        if ids.len() != people.len() {
            continue;
        }
        let start = now - (n as i64 + 1) * 30 * hour;
        let conversation = if ids.len() == 2 {
            messages::direct(db, net, ids[0], ids[1], start).await?
        } else {
            messages::group(db, net, ids[0], &ids[1..], title, start).await?
        };
        let mut last_read = 0;
        for (k, (who, text)) in lines.iter().enumerate() {
            let (id, _) = messages::send(
                db,
                net,
                &NewMessage {
                    conversation_id: conversation,
                    author_id: ids[*who],
                    kind: "text",
                    body: text,
                    once_key: None,
                },
                start + k as i64 * hour,
            )
            .await?;
            // the alumnus has read the first conversation to the end; the others wait
            if n == 0 {
                last_read = id;
            }
        }
        if let Some(s) = &alumnus
            && last_read > 0
        {
            messages::mark_read(db, net, conversation, s.id, last_read).await?;
        }
    }
    Ok(())
}

/// The demo alumnus's own post with a comment, a reply and a reaction from
/// colleagues, and the notifications they made (two unread), so the bell
/// has something to show.
pub async fn load_notifications(db: &Db) -> Result<(), StoreError> {
    use enishi_store::notifications::{self, NewNotification};
    let Some(network) = networks::by_slug(db, NETWORK_SLUG).await? else {
        return Ok(());
    };
    let net = network.scope();
    let now = now_ms();
    let hour = 3_600_000_i64;
    let who = |email: &'static str| async move { accounts::by_verified_email(db, email).await };
    let (Some(alumnus), Some(a), Some(b)) = (
        who("suzuki@demo.enishi.invalid").await?,
        who("member3@demo.enishi.invalid").await?,
        who("member7@demo.enishi.invalid").await?,
    ) else {
        return Ok(());
    };
    let body = "関西に戻ってきました。大阪で同期や先輩と集まれたらうれしいです。";
    let (post, _) = posts::create(
        db,
        net,
        &NewPost {
            html: &enishi_web::markdown::render(body),
            group_id: None,
            kind: "post",
            author_id: alumnus.id,
            title: "",
            body,
            audience: "everyone",
            once_key: None,
            held: false,
            image: None,
        },
        now - 20 * hour,
    )
    .await?;
    let mut comment_ids = Vec::new();
    for (k, (author, text)) in [
        (a.id, "おかえりなさい！梅田ならいつでも行けます。"),
        (b.id, "ぜひ！関西アルムナイのグループもありますよ。"),
    ]
    .into_iter()
    .enumerate()
    {
        let added = posts::add_comment(
            db,
            net,
            &NewComment {
                html: &enishi_web::markdown::render(text),
                post_id: post,
                reply_to: None,
                author_id: author,
                body: text,
                once_key: None,
            },
            now - (18 - k as i64 * 6) * hour,
        )
        .await?;
        if let posts::Added::Created(id) = added {
            comment_ids.push((author, id));
        }
    }
    posts::react(db, net, post, a.id, "celebrate", true, now - 17 * hour).await?;
    for (k, (kind, actor, comment)) in [
        ("reaction", a.id, None),
        ("comment", a.id, comment_ids.first().map(|c| c.1)),
        ("comment", b.id, comment_ids.get(1).map(|c| c.1)),
    ]
    .into_iter()
    .enumerate()
    {
        let id = notifications::add(
            db,
            net,
            &NewNotification {
                account_id: alumnus.id,
                kind,
                actor_id: Some(actor),
                post_id: Some(post),
                comment_id: comment,
                group_id: None,
                note: None,
                opportunity_id: None,
                event_id: None,
            },
            now - (17 - k as i64 * 5) * hour,
        )
        .await?;
        // the oldest was seen already
        if k == 0
            && let Some(id) = id
        {
            notifications::mark_read(db, alumnus.id, id, now - 10 * hour).await?;
        }
    }
    Ok(())
}
