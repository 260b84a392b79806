/* names - the words of the demo data set: Chinese personal names (姓 + 名)
 * and the short texts of posts, service notes and work logs. Tables only;
 * gen.c decides which to use. */
#include <stdio.h>
#include "demo.h"

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static const char *const s_surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱",
    "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于",
    "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "欧阳", "司马" };

static const char *const s_given[] = {
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
    "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "晓东", "建华", "文静", "海燕",
    "志强", "丹", "萍", "鹏", "辉", "玲", "雪", "婷", "浩然", "子涵", "梓萱", "一鸣", "欣怡",
    "宇航", "思远", "佳怡", "俊杰", "春梅", "国庆", "红梅", "立新", "淑珍", "建国" };

static const char *const s_life[] = {
    "周末带孩子去公园放风筝，阳光正好", "今天自己做了红烧肉，味道还不错", "下班路上看到的晚霞",
    "健身打卡第三十天，继续加油", "和同事一起吃火锅，开心", "雨天读一本好书",
    "早起跑步五公里，空气清新", "家里的绿萝又长高了", "周末去爬山，山顶风景真美",
    "给爸妈买了新手机，教他们视频通话" };

static const char *const s_issue[] = {
    "打印机卡纸，无法正常打印", "手机充电发热", "路由器频繁断线", "软件安装后无法启动",
    "显示器有坏点", "摄像头夜视不清晰", "投影仪开机无画面", "门禁刷卡无反应",
    "净水器出水慢", "笔记本电脑风扇噪音大" };

static const char *const s_cancel[] = {
    "客户改变主意", "重复下单", "价格谈不拢", "客户联系不上", "缺货，客户不愿等待" };

static const char *const s_refund[] = {
    "少发配件，部分退款", "商品有瑕疵，协商退款", "客户不满意，全额退款",
    "价格调整，退差价", "服务未按期完成，部分退款" };

static const char *const s_callback[] = {
    "满意，愿意推荐朋友", "满意", "一般，希望送货更快", "提出改进建议：安装说明更详细",
    "未接通，已发短信", "非常满意，准备再次购买" };

static const char *const s_complaint[] = {
    "送货延迟三天且未通知", "安装师傅态度差", "退款迟迟未到账", "商品与描述不符",
    "售后电话无人接听" };

static const char *const s_carrier[] = { "顺丰速运", "中通快递", "京东物流", "圆通速递", "韵达快递" };

static const char *const s_log[] = {
    "接待咨询，跟进意向客户，整理报价单", "回访老客户，处理售后工单", "参加话术培训，演练异议处理",
    "整理客户资料，更新跟进记录", "协调货源，安排发货", "上门安装调试，客户签收" };

static const char *const *const s_lists[NAMES_COUNT] = {
    s_life, s_issue, s_cancel, s_refund, s_callback, s_complaint, s_carrier, s_log };
static const size_t s_sizes[NAMES_COUNT] = {
    COUNT(s_life), COUNT(s_issue), COUNT(s_cancel), COUNT(s_refund), COUNT(s_callback),
    COUNT(s_complaint), COUNT(s_carrier), COUNT(s_log) };

/* names_person - 姓 + 名, both picked from r */
void names_person(char *out, size_t n, uint64_t r)
{
    snprintf(out, n, "%s%s", s_surnames[r % COUNT(s_surnames)],
             s_given[(r / COUNT(s_surnames)) % COUNT(s_given)]);
}

/* names_pick - an entry of list (NAMES_*) */
const char *names_pick(int list, uint64_t r)
{
    return s_lists[list][r % s_sizes[list]];
}
