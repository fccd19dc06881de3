duration = { $days } дн. { $hours } ч { $minutes } мин
op-topic-name = № { $number } · { $type }
op-card =
    { $icon } <b>№ { $number }</b> — { $type }
    { $state }
    Заявитель: { $name } ({ $username }), id <code>{ $user_id }</code>
    Язык: { $language }
    Зарегистрировано: { $registered } ({ $tz })
    Срок ответа: { $due } ({ $days } { $kind ->
        [working] раб. дн.
       *[calendar] кал. дн.
    }); { $left }
    Вложений: { $attachments }

    Текст обращения — следующим сообщением. Ответьте на карточку, текст или вложение обращения: бот спросит, отправить ли это заявителю как окончательный ответ, как промежуточное сообщение или оставить внутренней заметкой.
op-followup = ➕ <b>Дополнение к № { $number }</b> от { $time }, вложений: { $attachments }
op-reminder = ⏰ <b>№ { $number }</b> ({ $type }): срок ответа — { $due }, { $left }. Окончательного ответа заявителю ещё нет.
op-overdue = ❗ <b>№ { $number }</b> ({ $type }): срок ответа — { $due }, просрочено на { $overdue } { $overdue ->
    [one] день
    [few] дня
   *[many] дней
}. Окончательного ответа заявителю ещё нет.
op-consent-withdrawn = 🚫 Пользователь id <code>{ $user_id }</code> отозвал согласие на обработку персональных данных { $time } (запись № { $record }). Указанные им имя, телефон и e-mail удалены, реклама отключена.
op-take-button = 🙋 Взять
op-close-button = ✅ Закрыть
op-reopen-button = ↩️ Открыть
op-history-button = 📜 История
op-taken = Обращение № { $number } взято в работу оператором { $operator }.
op-refused = Обращение № { $number } закрыто с мотивированным отказом; причина отправлена заявителю.
op-reopened = Обращение № { $number } снова открыто оператором { $operator }.
op-status-unchanged = № { $number }: действие невозможно, текущий статус — { $status }.
op-not-found = Обращение не найдено. Укажите номер, например /claim 2026-0001, или ответьте на сообщение обращения.
op-refuse-usage = Отказ должен быть мотивирован: ответьте на сообщение обращения командой /refuse и причиной, например «/refuse Данные уже удалены 01.03.2026», или /refuse 2026-0001 причина.
op-reply-not-a-claim = ℹ️ Это сообщение не относится ни к одному обращению, поэтому никому не отправлено. Чтобы ответить заявителю, ответьте на карточку обращения, его текст или вложение (или напишите в теме обращения).
op-user-blocked = ⚠️ Заявитель по обращению № { $number } заблокировал бота: сообщение не доставлено. Свяжитесь с ним другим способом.
op-reply-failed = ⚠️ Не удалось доставить сообщение заявителю по обращению № { $number }. Попробуйте ещё раз.
op-claims-empty = Открытых обращений нет.
op-claims-title = <b>Открытые обращения</b> ({ $count }), по сроку:
op-overdue-empty = Просроченных обращений нет.
op-overdue-title = <b>Просроченные обращения</b> ({ $count }):
op-claims-line = № { $number } · { $type } · { $status } · срок { $due } · { $left }
op-history-title =
    <b>№ { $number }</b> — { $type }
    Статус: { $status }
    Заявитель: id <code>{ $user_id }</code>, язык: { $language }
    Зарегистрировано: { $registered }
    Срок ответа: { $due }; { $left }
op-history-taken = { $time } — взято в работу оператором { $operator }
op-history-followup = { $time } — дополнение от заявителя: { $text }
op-history-closed = { $time } — закрыто оператором { $operator }
op-history-refusal = причина отказа: { $reason }
op-history-media = [фото или файл]
op-stats =
    <b>Статистика обращений</b> (всего { $total })
    Зарегистрировано: { $registered }
    В работе: { $in_progress }
    Дан ответ: { $answered }
    Закрыто: { $closed }
    Просрочено: { $overdue }
    Медиана времени до первого ответа: { $median }
    Отвечено в срок: { $on_time }
op-stats-none = нет данных
op-stats-share = { $percent } % ({ $answered } из { $counted })
