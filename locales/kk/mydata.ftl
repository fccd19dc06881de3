mydata-title = <b>Боттағы деректеріңіз</b>
mydata-body =
    Telegram идентификаторы: { $telegram_id }
    Telegram-дағы аты: { $telegram_name }
    Пайдаланушы аты: { $username }
    Тіл: { $language }
    Аты-жөні (өзіңіз көрсеткен): { $full_name }
    Телефон: { $phone }
    E-mail: { $email }
    Ботқа алғаш жазған уақыт: { $created }
mydata-consent-line = { $status }
mydata-ads-line = { $status }
mydata-footer = Файлға түсіруде бот сіз туралы сақтайтын барлық деректер, соның ішінде келісімдер мен әрекеттер тарихы бар.
mydata-export-button = ⬇️ Файлға түсіру (JSON)
mydata-edit-name-button = ✏️ Аты-жөні
mydata-edit-phone-button = 📱 Телефон
mydata-edit-email-button = ✉️ E-mail
mydata-export-caption = Боттағы барлық деректеріңіз, { $time } ({ $tz }) жағдай бойынша.
mydata-needs-consent = Аты-жөніңізді, телефоныңызды немесе e-mail-ды сақтауымыз үшін алдымен деректерді өңдеуге келісім беріңіз: /consent.
mydata-ask-name = Сізге қалай жүгінейік? Аты-жөніңізді жазыңыз ({ $max } таңбаға дейін). Немесе «Болдырмау» батырмасын басыңыз.
mydata-ask-phone = Төмендегі «Нөмірмен бөлісу» батырмасын басыңыз: осылайша Telegram-нан дәл сіздің нөміріңізді аламыз. Немесе «Болдырмау» батырмасын басыңыз.
mydata-ask-email = Электрондық пошта мекенжайыңызды жазыңыз, мысалы name@example.kz. Немесе «Болдырмау» батырмасын басыңыз.
mydata-share-phone-button = 📱 Нөмірмен бөлісу
mydata-delete-value-button = 🗑 Ағымдағы мәнді жою
mydata-saved = Сақталды. Рахмет!
mydata-deleted = Мән жойылды.
mydata-name-invalid = Аты-жөні 1-ден { $max } таңбаға дейінгі мәтін болуы керек. Қайталап көріңіз немесе «Болдырмау» батырмасын басыңыз.
mydata-email-invalid = Бұл электрондық пошта мекенжайына ұқсамайды. Тексеріп, қайта жіберіңіз, мысалы name@example.kz, немесе «Болдырмау» батырмасын басыңыз.
mydata-phone-not-own = Тек өз нөміріңізді ғана сақтауға болады. «Нөмірмен бөлісу» батырмасын басыңыз.
mydata-phone-use-button = Нөмірмен бөлісу үшін экранның төменгі жағындағы «Нөмірмен бөлісу» батырмасын басыңыз, немесе «Болдырмау».
mydata-text-expected = Мәтін жіберіңізші, немесе «Болдырмау» батырмасын басыңыз.
