consent-notice =
    <b>Согласие на сбор и обработку персональных данных</b>

    Оператор: { $operator }, { $id_label } { $bin }
    Политика конфиденциальности: редакция от { $version }

    <b>Какие данные:</b> { $data }
    <b>Цели:</b> { $purposes }
    <b>Срок:</b> { $term }
    <b>Передача третьим лицам:</b> { $third_parties }
    <b>Трансграничная передача (за рубеж):</b> { $cross_border }

    Давать согласие не обязательно. Если вы его не дадите, бот не будет хранить указанные вами имя, телефон и e-mail и присылать рекламу; читать политику, узнавать, какие данные о вас хранятся, и подавать обращения можно и без согласия.
    Согласие можно отозвать в любой момент: команда /consent → «Отозвать согласие», или письмо на { $contact }.
    Основание: Закон Республики Казахстан от 21 мая 2013 года № 94-V «О персональных данных и их защите», статья 8.
consent-read-policy-button = 📄 Прочитать политику
consent-accept-button = ✅ Даю согласие
consent-decline-button = ✖️ Не даю согласия
consent-given-receipt =
    Спасибо, ваше согласие записано.
    Запись № { $id } от { $time } ({ $tz }), редакция политики от { $version }.
consent-declined-receipt =
    Вы не дали согласия. Мы уважаем ваше решение (запись № { $id } от { $time }, { $tz }).

    Без согласия бот не хранит ваши контактные данные (имя, телефон, e-mail) и не присылает рекламу. Вы по-прежнему можете читать политику, смотреть, какие данные о вас есть, и подавать обращения о своих данных.
    Дать согласие можно в любой момент командой /consent.
consent-withdraw-confirm =
    Отозвать согласие на обработку персональных данных?
    Мы удалим указанные вами имя, телефон и e-mail и отключим рекламу. Записи о ваших решениях по согласию сохраняются как доказательство, что вы их принимали.
consent-withdraw-yes-button = Да, отозвать
consent-withdraw-no-button = Нет, оставить
consent-withdraw-kept = Хорошо, согласие остаётся в силе.
consent-withdrawn-receipt =
    Согласие отозвано: запись № { $id } от { $time } ({ $tz }).
    Указанные вами контактные данные удалены, реклама отключена. Дать согласие снова можно командой /consent.
consent-already-given = Согласие на эту редакцию уже записано (запись № { $id }).
consent-not-active = Согласие сейчас не действует, отзывать нечего.
consent-status-none = <b>Согласие:</b> вы ещё не принимали решение.
consent-status-given = <b>Согласие:</b> дано { $time } на редакцию политики от { $version }.
consent-status-outdated =
    <b>Согласие:</b> дано на редакцию от { $version }, но с { $current } действует новая редакция политики.
    Пожалуйста, ознакомьтесь с ней и, если согласны, дайте согласие снова.
consent-status-declined = <b>Согласие:</b> не дано (вы отказались { $time }).
consent-status-withdrawn = <b>Согласие:</b> отозвано { $time }.
consent-history-title = { $count ->
    [one] История: { $count } запись
    [few] История: { $count } записи
   *[many] История: { $count } записей
}
consent-history-line = № { $id } · { $time } · { $decision } · ред. { $version }
consent-decision-given = дано
consent-decision-declined = отказ
consent-decision-withdrawn = отозвано
consent-withdraw-button = Отозвать согласие
consent-give-button = Дать согласие
consent-review-button = Ознакомиться с новой редакцией
consent-outdated-reminder = Политика конфиденциальности обновилась (редакция от { $version }). Пожалуйста, ознакомьтесь с ней и, если согласны, дайте согласие снова.
consent-id-label-bin = БИН
consent-id-label-iin = ИИН
consent-transfer-none = нет
consent-transfer-recipients = да; получатели: { $recipients }
consent-transfer-countries = да; страны: { $countries }
