-- Employment and retention: the dates the legal timeline is computed from, generated tasks,
-- the retention check (second instrument), daily self-reports and participant accounts.

ALTER TABLE case_file
    ADD COLUMN hired_on            date,
    -- 'ordinary', 'hours_extension' (労働時間延長支援型), 'return_to_work' (復職支援型)
    ADD COLUMN start_kind          text CHECK (start_kind IN ('ordinary', 'hours_extension', 'return_to_work')),
    ADD COLUMN transition_ended_on date,
    ADD COLUMN returned_on         date,
    ADD COLUMN retention_start_on  date,
    ADD COLUMN retention_end_on    date,
    ADD COLUMN follow_up_on        date,
    ADD COLUMN closed_on           date;

-- Tasks generated from the legal timeline; `source` names the rule a generated task comes
-- from, so that regenerating after a date change updates it instead of adding a second one.
CREATE TABLE task (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES case_file (id),
    source          text NOT NULL,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    owner_agency_id uuid NOT NULL REFERENCES agency (id),
    due_on          date NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    -- set when a user changed the due date or title: regeneration leaves the task alone
    edited          boolean NOT NULL DEFAULT false,
    done_note       text NOT NULL DEFAULT '' CHECK (length(done_note) <= 1000),
    done_by         uuid REFERENCES app_user (id),
    done_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT task_case_source_key UNIQUE (case_id, source)
);
CREATE INDEX task_owner_idx ON task (owner_agency_id, status, due_on);

INSERT INTO instrument VALUES
    ('retention', '安定した就労と生活のためのチェックリスト', 'Checklist for stable work and life',
     'likert5', 'domain_mean');
INSERT INTO instrument_domain VALUES
    ('retention', 1, '本人の前向きなキャリア展望とワークエンゲージメントの状態', 'Positive career outlook and work engagement'),
    ('retention', 2, '本人の体調の安定', 'Stable health'),
    ('retention', 3, '本人の業務遂行の安定', 'Stable performance at work'),
    ('retention', 4, '本人の職場に対する充実感', 'Satisfaction with the workplace'),
    ('retention', 5, '上長の本人の評価', 'The supervisor''s view'),
    ('retention', 6, '職場のサポート体制の状況', 'Support at the workplace');
INSERT INTO instrument_item VALUES
    ('retention', 'i1', 1, 1, '生活の目標や夢などをもっている', 'Has goals or dreams in life'),
    ('retention', 'i2', 1, 2, '自分の将来や今後のキャリアについて前向きな目標設定をしている', 'Sets positive goals for the future and career'),
    ('retention', 'i3', 1, 3, '仕事をすることを前向きに楽しんでいる', 'Enjoys working'),
    ('retention', 'i4', 1, 4, '本人や自分の将来について前向きに捉えられている', 'Sees themselves and their future positively'),
    ('retention', 'i5', 1, 5, '休日には、何かリラックスできる過ごし方ができている', 'Relaxes on days off'),
    ('retention', 'i6', 1, 6, '家族との関係が安定している', 'Stable relations with family'),
    ('retention', 'i7', 1, 7, '仕事について熱心に取り組んでいる', 'Works with enthusiasm'),
    ('retention', 'i8', 1, 8, '本人が地域でのつながりや余暇を楽しむことができている', 'Enjoys community ties and leisure'),
    ('retention', 'i9', 1, 9, '仕事をすることに没頭している', 'Is absorbed in the work'),
    ('retention', 'ii1', 2, 1, '睡眠状態が安定している', 'Sleeps stably'),
    ('retention', 'ii2', 2, 2, '通院又は服薬状態等が安定している(又は服用しなくてよい)', 'Stable hospital visits and medication (or none needed)'),
    ('retention', 'ii3', 2, 3, '食欲の低下や食事の内容の悪化がない', 'No loss of appetite or worse meals'),
    ('retention', 'ii4', 2, 4, '疲労感はあっても、回復している', 'Recovers from tiredness'),
    ('retention', 'iii1', 3, 1, '職場における対人関係において課題がない', 'No problems in relations at work'),
    ('retention', 'iii2', 3, 2, '職場における勤務時間の遵守について課題がない', 'Keeps working hours'),
    ('retention', 'iii3', 3, 3, '職場における勤務態度について課題がない', 'No problems with attitude at work'),
    ('retention', 'iii4', 3, 4, '職場における対人関係において不安を感じていない', 'No anxiety about relations at work'),
    ('retention', 'iv1', 4, 1, '職場における賃金等の処遇について不満を感じていない', 'Content with pay and conditions'),
    ('retention', 'iv2', 4, 2, '職場における勤務時間やシフト等について不満を感じていない', 'Content with hours and shifts'),
    ('retention', 'iv3', 4, 3, '職場への通勤について不安や困難を感じていない', 'No worry or difficulty commuting'),
    ('retention', 'v1', 5, 1, '職場の上長からみて勤務態度に対する評価が良い', 'The supervisor rates the attitude well'),
    ('retention', 'v2', 5, 2, '職場の上長からみて仕事への熱意に対する評価が良い', 'The supervisor rates the enthusiasm well'),
    ('retention', 'v3', 5, 3, '職場の上長からみて責任感に対する評価が良い', 'The supervisor rates the sense of responsibility well'),
    ('retention', 'v4', 5, 4, '職場の上長からみて自己管理(体調・服薬等)に対する評価が良い', 'The supervisor rates self-management (health, medication) well'),
    ('retention', 'v5', 5, 5, '職場の上長からの業務遂行状況に対する評価が良い', 'The supervisor rates the work done well'),
    ('retention', 'vi1', 6, 1, '職場の合理的配慮が適切に提供されている', 'Reasonable accommodation is provided'),
    ('retention', 'vi2', 6, 2, '職場の障害のある従業員への理解が十分である', 'The workplace understands employees with disabilities');
