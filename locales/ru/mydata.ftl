mydata-title = <b>Ваши данные в боте</b>
mydata-body =
    Идентификатор Telegram: { $telegram_id }
    Имя в Telegram: { $telegram_name }
    Имя пользователя: { $username }
    Язык: { $language }
    Имя (указано вами): { $full_name }
    Телефон: { $phone }
    E-mail: { $email }
    Первое сообщение боту: { $created }
mydata-consent-line = { $status }
mydata-ads-line = { $status }
mydata-footer = Выгрузка содержит всё, что бот хранит о вас, включая историю согласий и действий.
mydata-export-button = ⬇️ Выгрузить в файл (JSON)
mydata-edit-name-button = ✏️ Имя
mydata-edit-phone-button = 📱 Телефон
mydata-edit-email-button = ✉️ E-mail
mydata-export-caption = Все ваши данные в боте на { $time } ({ $tz }).
mydata-needs-consent = Чтобы мы хранили ваше имя, телефон или e-mail, сначала дайте согласие на обработку данных: /consent.
# "до N символа/символов": the genitive after «до» is singular after 1, 21, 31… (CLDR "one").
mydata-ask-name = Напишите, как к вам обращаться (имя и фамилия, до { $max } { $max ->
    [one] символа
   *[other] символов
}). Или нажмите «Отмена».
mydata-ask-phone = Нажмите кнопку «Поделиться номером» ниже: так мы получим именно ваш номер из Telegram. Или нажмите «Отмена».
mydata-ask-email = Напишите ваш адрес электронной почты, например name@example.kz. Или нажмите «Отмена».
mydata-share-phone-button = 📱 Поделиться номером
mydata-delete-value-button = 🗑 Удалить текущее значение
mydata-saved = Сохранено. Спасибо!
mydata-deleted = Значение удалено.
mydata-name-invalid = Имя должно быть текстом от 1 до { $max } { $max ->
    [one] символа
   *[other] символов
}. Попробуйте ещё раз или нажмите «Отмена».
mydata-email-invalid = Это не похоже на адрес электронной почты. Проверьте и отправьте ещё раз, например name@example.kz, или нажмите «Отмена».
mydata-phone-not-own = Можно сохранить только ваш собственный номер. Нажмите кнопку «Поделиться номером».
mydata-phone-use-button = Чтобы поделиться номером, нажмите кнопку «Поделиться номером» внизу экрана или «Отмена».
mydata-text-expected = Пожалуйста, отправьте текст или нажмите «Отмена».
