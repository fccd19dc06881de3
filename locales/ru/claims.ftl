menu-claim = 📝 Обращение
cmd-claim = Подать претензию или запрос о данных
cmd-myclaims = Мои обращения и ответы на них

claim-type-claim = Письменная претензия
claim-type-access = Запрос сведений о данных
claim-type-change = Запрос на изменение или дополнение данных
claim-type-block = Запрос на блокирование данных
claim-type-destroy = Запрос на уничтожение данных
claim-type-button-claim = 📝 Письменная претензия
claim-type-button-access = 🔍 Какие данные обо мне хранятся
claim-type-button-change = ✏️ Изменить или дополнить данные
claim-type-button-block = ⛔ Заблокировать данные
claim-type-button-destroy = 🗑 Уничтожить данные

claim-status-registered = зарегистрировано
claim-status-in_progress = в работе
claim-status-answered = дан ответ
claim-status-closed = закрыто
claim-status-overdue = срок истёк

claim-days-term = { $days } { $kind ->
    [working] { $days ->
        [one] рабочий день
        [few] рабочих дня
       *[many] рабочих дней
    }
   *[calendar] { $days ->
        [one] календарный день
        [few] календарных дня
       *[many] календарных дней
    }
}
claim-left-days = { $left ->
    [one] остался { $left } день
    [few] осталось { $left } дня
   *[many] осталось { $left } дней
}
claim-left-today = срок истекает сегодня
claim-left-overdue = { $overdue ->
    [one] срок истёк { $overdue } день назад
    [few] срок истёк { $overdue } дня назад
   *[many] срок истёк { $overdue } дней назад
}

claim-choose-type = Что вы хотите подать? Выберите вид обращения. Отменить можно в любой момент командой /cancel.
claim-ask-text =
    <b>{ $type }</b>
    Срок ответа по закону или нашей политике: { $term } со дня после регистрации.

    Напишите текст обращения одним сообщением (до { $max } { $max ->
        [one] символа
       *[other] символов
    }). Если нужно, после текста можно приложить фотографии или документы.
claim-text-empty = Текст обращения пустой. Пожалуйста, напишите, в чём суть вашего обращения.
claim-text-too-long = Текст слишком длинный: в одном сообщении помещается не больше { $max } { $max ->
    [one] символа
   *[other] символов
}. Сократите его; подробности можно приложить файлом после текста.
claim-media-only = Сначала напишите текст обращения: по одному фото или файлу нам будет непонятно, о чём вы просите. Файлы можно будет приложить следующим шагом.
claim-text-expected = Пожалуйста, отправьте текст обращения сообщением.
claim-ask-attachments = Текст получен. Теперь при желании отправьте фотографии или документы (до { $max }), затем нажмите «Продолжить». Если прикладывать нечего — сразу нажмите «Продолжить».
claim-attachment-added = Вложение добавлено ({ $count } из { $max }). Отправьте ещё или нажмите «Продолжить».
claim-attachment-expected = Текст уже записан. Отправьте фото или документ либо нажмите «Продолжить». Чтобы изменить текст, отмените обращение (/cancel) и начните заново.
claim-continue-button = ➡️ Продолжить
claim-confirm-button = ✅ Подтвердить и отправить
claim-summary =
    <b>Проверьте обращение перед отправкой</b>
    Вид: { $type }
    Вложений: { $attachments }
    Срок ответа: { $term }

    { $preview }

    После подтверждения текст нельзя будет изменить, но можно будет отправить дополнение.
claim-registered =
    ✅ <b>Обращение зарегистрировано</b>
    Номер: <b>№ { $number }</b>
    Вид: { $type }
    Время регистрации: { $time } ({ $tz })
    Ответ должен быть дан не позднее { $due } ({ $term }).

    Следить за обращением и получать ответы можно в /myclaims.

myclaims-empty = У вас пока нет обращений. Подать претензию или запрос: /claim
myclaims-title = <b>Ваши обращения</b> ({ $count })
myclaims-item =
    <b>№ { $number }</b> — { $type }
    Статус: { $status }
    Зарегистрировано: { $registered }
    Срок ответа: { $due }{ $left }
myclaims-followup-button = ➕ Дополнить № { $number }
myclaims-page = Страница { $page } из { $pages }
myclaims-line =
    <b>№ { $number }</b> — { $type }
    { $status }; срок ответа: { $due }{ $left }
myclaims-open-button = 📄 № { $number }
myclaims-prev-button = ◀️ Назад
myclaims-next-button = Далее ▶️
myclaims-back-button = ⬅️ Все обращения
myclaims-claim-page = <b>№ { $number }</b> · страница { $page } из { $pages }
myclaims-answer = 💬 <b>Ответ от { $time }</b>
myclaims-interim = 💬 <b>Промежуточное сообщение от { $time }</b>
myclaims-media-note = (файл или фото отправлены вам в чат)
myclaims-continued = (продолжение)
myclaims-refusal = ❌ <b>Отказ от { $time }</b>. Причина:
myclaims-no-answers = Ответов по этому обращению пока нет.

claim-cap-open = Открытых обращений у вас сейчас: { $limit }. Это наибольшее число одновременно открытых обращений. Дождитесь ответа по одному из них или дополните открытое обращение в /myclaims.
claim-cap-daily = За сутки можно подать ограниченное число обращений: { $limit }. Следующее можно будет подать после { $time } ({ $tz }). Дополнить уже поданное обращение можно в /myclaims.
claim-cap-attachments = К одному обращению можно приложить ограниченное число файлов и фото: { $limit }. Больше приложить нельзя; при необходимости опишите остальное текстом.
claim-cap-followups = За час можно отправить ограниченное число дополнений: { $limit }. Следующее можно будет отправить после { $time } ({ $tz }).

followup-ask = Напишите дополнение к обращению № { $number } или отправьте фото или документ. Отменить: /cancel
followup-closed = Обращение № { $number } закрыто, дополнить его нельзя. Подайте новое: /claim
followup-saved = Дополнение к обращению № { $number } принято { $time } ({ $tz }) и передано операторам.
followup-empty = Дополнение пустое. Напишите текст или отправьте фото или документ.

claim-reply-label = 💬 Ответ оператора по обращению № { $number }:
claim-refused-user =
    ❌ По обращению № { $number } принято решение об отказе.
    Причина: { $reason }

    { $appeal }
claim-closed-user = Обращение № { $number } закрыто. Спасибо! Ответы по нему сохранены в /myclaims.
claim-reopened-user = Обращение № { $number } снова в работе.
