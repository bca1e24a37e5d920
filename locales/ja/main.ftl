app-name = 連携
choose = 選択してください
search = 検索
next-page = 次のページへ

nav-dashboard = ホーム
nav-members = 職員の管理
nav-admin-agencies = 機関の管理
nav-admin-users = ユーザーの管理
nav-logout = ログアウト
acting-as = 所属機関
acting-switch = 切り替える
lang-switch = English

login-title = ログイン
login-submit = ログイン
login-failed = メールアドレスまたはパスワードが正しくありません。
login-locked = ログインの失敗が続いたため、このアカウントへのログインを一時的に止めています。{ $minutes }分後にもう一度お試しください。
login-help = パスワードを忘れた場合は、所属機関の管理者またはシステム管理者に連絡してください。

dashboard-title = ホーム
dashboard-welcome = { $name }さん、こんにちは。
dashboard-admin = システム管理
dashboard-admin-help = 機関とユーザーの登録・パスワードの再設定を行います。ケースの内容は表示されません。
dashboard-no-agency = まだどの機関にも所属していません。所属機関の管理者に登録を依頼してください。

account-title = アカウント
account-agencies = 所属機関
account-password-title = パスワードの変更
account-password-submit = パスワードを変更する
account-password-done = パスワードを変更しました。ほかの端末のログインは終了しました。
password-rules = パスワードは15文字以上にしてください（記号や数字を混ぜる必要はありません）。よく使われるパスワードや、ご自身の名前・メールアドレスを含むものは使えません。

field-email = メールアドレス
field-password = パスワード
field-display-name = 氏名
field-current-password = 現在のパスワード
field-new-password = 新しいパスワード
field-confirm-password = 新しいパスワード（確認）
field-initial-password = 初期パスワード
field-agency = 所属機関
field-agency-name = 機関名
field-kind = 種別
field-municipality = 市区町村
field-address = 住所
field-phone = 電話番号
field-members = 職員数
field-role = 権限
field-job-title = 職種・役職

error-required = 入力してください。
error-choose = 選択してください。
error-email = メールアドレスの形式が正しくありません。
error-too-long = 長すぎます。
error-max-chars = { $max }文字以内で入力してください。
password-too-short = パスワードは15文字以上にしてください。
password-too-long = パスワードは256文字以内にしてください。
password-common = よく使われるパスワードのため使えません。推測されにくい言葉を組み合わせてください。
password-contains-identity = 氏名やメールアドレスを含むパスワードは使えません。
password-mismatch = 確認用のパスワードが一致しません。
password-current-wrong = 現在のパスワードが正しくありません。

error-title = エラー
error-status = ステータス
error-request-id = 問い合わせ番号
error-back-home = ホームへ戻る
error-not-found = ページが見つかりません。URLを確認するか、ホームから操作してください。
error-forbidden = この操作を行う権限がありません。
error-csrf = 別のサイトから送信されたフォームのため受け付けませんでした。このサイトの画面からもう一度操作してください。
error-method = この方法ではこのページを利用できません。
error-too-large = 送信された内容が大きすぎます。内容を減らしてもう一度送信してください。
error-too-many = 短い時間に多くの操作が行われました。しばらく待ってからもう一度お試しください。
error-unavailable = ただいまデータベースに接続できません。しばらく待ってからもう一度お試しください。
error-internal = システムでエラーが発生しました。問い合わせ番号を添えて管理者に連絡してください。
error-bad-request = 送信内容を読み取れませんでした。画面を開き直してもう一度操作してください。

admin-agencies-title = 機関の管理
admin-agency-create = 機関を登録する
agency-duplicate = 同じ名前と住所の機関がすでに登録されています。
admin-users-title = ユーザーの管理
admin-users-search = メールアドレスまたは氏名
admin-user-create = ユーザーを登録する
admin-user-state = 状態
admin-user-actions = 操作
admin-user-active = 有効
admin-user-inactive = 停止中
admin-user-activate = 有効にする
admin-user-deactivate = 利用を停止する
admin-user-reset = パスワードを再設定
admin-system-admin = システム管理者
user-email-taken = このメールアドレスはすでに登録されています。
user-password-reset-done = { $email } のパスワードを再設定しました。ログイン中の端末はすべてログアウトしました。

members-title = 職員の管理
members-add = 職員を追加する
members-add-help = 登録済みのユーザーはメールアドレスと権限だけで追加できます。新しいユーザーは氏名と初期パスワードも入力してください。
members-new-user = 新しいユーザーの場合
members-change-role = 変更
members-remove = この機関から外す
member-already = この方はすでにこの機関の職員です。
member-self-demote = ご自身の管理者権限は外せません。別の管理者に依頼してください。
member-self-remove = ご自身をこの機関から外すことはできません。

audit-title = 操作記録
audit-at = 日時
audit-user = ユーザー
audit-acting = 所属機関として
audit-action = 操作
audit-outcome = 結果
audit-ip = 接続元

kind-clinic = 医療機関
kind-transition_office = 就労移行支援事業所
kind-livelihood_center = 障害者就業・生活支援センター
kind-vocational_center = 地域障害者職業センター
kind-retention_office = 就労定着支援事業所
kind-consultation_office = 特定相談支援事業所
kind-hello_work = ハローワーク
kind-employer = 企業
kind-other = その他の機関

role-staff = 職員
role-coordinator = コーディネーター
role-agency_admin = 機関管理者
